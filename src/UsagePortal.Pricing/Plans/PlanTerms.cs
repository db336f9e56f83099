using System.Text;
using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>
/// The priced terms of one plan version, parsed from the plans API's JSON:
/// <c>{ "code", "name", "currency", "interval": "monthly", "flatFee", "minimumCommitment", "charges": [ charge, ... ] }</c>.
/// Each charge is the charge JSON of PRODUCT.md, optionally with <c>"freeAllowance"</c> (units free per period).
/// </summary>
public sealed record PlanTerms(
    string Code,
    string Name,
    Currency Currency,
    string Interval,
    long FlatFeeMinorUnits,
    long MinimumCommitmentMinorUnits,
    IReadOnlyList<PlanCharge> Charges)
{
    private const int MaxCodeLength = 64;

    /// <summary>Parses and validates a plan; every error names its field (<c>charges[1].properties.unitAmount</c>).</summary>
    public static PlanTermsParseResult Parse(JsonElement element)
    {
        var errors = new List<ValidationError>();
        var root = JsonObjectReader.For(element, "$", errors);
        if (root is null)
        {
            return new(null, errors);
        }

        var code = root.String("code", required: true);
        if (code is not null && !IsCode(code))
        {
            errors.Add(new("code", $"must be 1 to {MaxCodeLength} characters of lower-case letters, digits, '_' or '-', starting with a letter"));
        }

        var name = root.String("name", required: false) ?? code;
        if (name is not null && (name.Trim().Length == 0 || name.Length > 200))
        {
            errors.Add(new("name", "must be 1 to 200 characters"));
        }

        Currency? currency = null;
        var currencyCode = root.String("currency", required: true);
        if (currencyCode is not null && !Currency.TryFromCode(currencyCode, out currency))
        {
            errors.Add(new("currency", $"'{currencyCode}' is not an ISO 4217 currency code"));
        }

        var interval = root.String("interval", required: false) ?? "monthly";
        if (interval != "monthly")
        {
            errors.Add(new("interval", "must be 'monthly' (the only billing interval)"));
        }

        var flatFee = MoneyField(root, "flatFee", currency, errors);
        var commitment = MoneyField(root, "minimumCommitment", currency, errors);
        var charges = ReadCharges(root, errors);
        return errors.Count == 0
            ? new(new PlanTerms(code!, name!, currency!, interval, flatFee, commitment, charges), [])
            : new(null, errors);
    }

    /// <summary>Parses the stored charges array (as <see cref="WriteCharges(IEnumerable{PlanCharge})"/> writes it).</summary>
    public static IReadOnlyList<PlanCharge> ParseCharges(string json)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<ValidationError>();
        var charges = ReadChargeArray(document.RootElement, "charges", errors);
        return errors.Count == 0 ? charges : throw new InvalidChargeException(errors);
    }

    /// <summary>Parses a list of charges under <paramref name="path"/> (used for per-customer overrides too).</summary>
    public static IReadOnlyList<PlanCharge> ParseCharges(JsonElement array, string path, List<ValidationError> errors) =>
        ReadChargeArray(array, path, errors);

    /// <summary>Writes charges as a JSON array in the charge JSON shape, decimals as strings.</summary>
    public static string WriteCharges(IEnumerable<PlanCharge> charges)
    {
        ArgumentNullException.ThrowIfNull(charges);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteCharges(writer, charges);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes charges as a JSON array in the charge JSON shape, decimals as strings.</summary>
    public static void WriteCharges(Utf8JsonWriter writer, IEnumerable<PlanCharge> charges)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(charges);
        writer.WriteStartArray();
        foreach (var charge in charges)
        {
            writer.WriteStartObject();
            writer.WriteString("meter", charge.Meter);
            writer.WriteString("model", ChargeModelNames.ToName(charge.Charge.Model));
            writer.WritePropertyName(ChargeValidator.PropertiesPath);
            ChargePropertiesWriter.Write(writer, charge.Charge.Properties);
            if (charge.FreeAllowance != 0m)
            {
                ChargePropertiesWriter.WriteDecimal(writer, "freeAllowance", charge.FreeAllowance);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static bool IsCode(string code) =>
        code.Length is > 0 and <= MaxCodeLength && char.IsAsciiLetterLower(code[0])
        && code.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');

    private static long MoneyField(JsonObjectReader root, string field, Currency? currency, List<ValidationError> errors)
    {
        var value = root.OptionalDecimal(field);
        if (value is not { } amount)
        {
            return 0;
        }

        if (amount < 0)
        {
            errors.Add(new(field, "must not be negative"));
            return 0;
        }

        if (currency is null)
        {
            return 0;
        }

        try
        {
            return currency.ToMinorUnitsExact(amount);
        }
        catch (Exception exception) when (exception is ArgumentException or OverflowException)
        {
            errors.Add(new(field, $"must be a whole amount of {currency.Code} ({currency.MinorUnitExponent} decimals at most)"));
            return 0;
        }
    }

    private static List<PlanCharge> ReadCharges(JsonObjectReader root, List<ValidationError> errors)
    {
        if (root.Element("charges", required: false) is not { } array)
        {
            return [];
        }

        return ReadChargeArray(array, "charges", errors);
    }

    private static List<PlanCharge> ReadChargeArray(JsonElement array, string path, List<ValidationError> errors)
    {
        var charges = new List<PlanCharge>();
        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(path, "must be a JSON array of charges"));
            return charges;
        }

        var meters = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = $"{path}[{index++}]";
            var parsed = ChargeJson.Parse(item, meterRequired: true);
            var before = errors.Count;
            errors.AddRange(parsed.Errors.Select(e => e.Under(itemPath)));
            var allowance = 0m;
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("freeAllowance", out var allowanceElement) && allowanceElement.ValueKind != JsonValueKind.Null)
            {
                if (!DecimalText.TryRead(allowanceElement, out allowance) || allowance < 0)
                {
                    errors.Add(new($"{itemPath}.freeAllowance", "must be a decimal number of units, not negative"));
                }
                else if (parsed.Charge?.Model == ChargeModel.Percentage && allowance > 0)
                {
                    errors.Add(new($"{itemPath}.freeAllowance", "does not apply to percentage charges; use properties.freeUnitsPerTotalAggregation"));
                }
            }

            if (parsed.Charge?.Meter is { } meter && !meters.Add(meter))
            {
                errors.Add(new($"{itemPath}.meter", $"'{meter}' is already priced by another charge of this plan"));
            }

            if (errors.Count == before && parsed.IsValid)
            {
                charges.Add(new PlanCharge(parsed.Charge, allowance));
            }
        }

        return charges;
    }
}

/// <summary>The outcome of parsing a plan: its terms, or every error found.</summary>
public sealed record PlanTermsParseResult(PlanTerms? Terms, IReadOnlyList<ValidationError> Errors);
