using System.Globalization;
using System.Text;
using System.Text.Json;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Plans;

/// <summary>
/// A plan as the console's editor holds it while it is typed: every field as text, written to the plans API's JSON and
/// checked by the parser that publishes it, so the editor's messages are the API's, at the same field paths
/// (<c>charges[0].properties.ranges[1].toValue</c>). Nothing here is stored.
/// </summary>
public sealed class PlanDraft
{
    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    public string Currency { get; set; } = "USD";

    /// <summary>In currency units, as typed ("49.00").</summary>
    public string FlatFee { get; set; } = "0";

    public string MinimumCommitment { get; set; } = "0";

    public List<ChargeDraft> Charges { get; set; } = [];

    /// <summary>The draft of the next version of a plan: its latest version's terms, field by field.</summary>
    public static PlanDraft From(string code, PlanVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var currency = Pricing.Currency.FromCode(version.Currency);
        return new PlanDraft
        {
            Code = code,
            Name = version.Name,
            Currency = version.Currency,
            FlatFee = Decimals.ToText(currency.FromMinorUnits(version.FlatFeeMinorUnits)),
            MinimumCommitment = Decimals.ToText(currency.FromMinorUnits(version.MinimumCommitmentMinorUnits)),
            Charges = [.. PeriodRater.ChargesOf(version).Select(ChargeDraft.From)],
        };
    }

    /// <summary>The plans API's JSON of the draft; empty optional fields are left out, so the parser names what is missing.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            Text(writer, "code", Code);
            Text(writer, "name", Name);
            Text(writer, "currency", Currency.ToUpperInvariant());
            writer.WriteString("interval", "monthly");
            Text(writer, "flatFee", FlatFee);
            Text(writer, "minimumCommitment", MinimumCommitment);
            writer.WriteStartArray("charges");
            foreach (var charge in Charges)
            {
                charge.Write(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The draft parsed as publishing parses it: the terms, or every error by field path.</summary>
    public PlanTermsParseResult Check()
    {
        using var document = JsonDocument.Parse(ToJson());
        return PlanTerms.Parse(document.RootElement);
    }

    /// <summary>Writes a trimmed text field; nothing when it is empty, so a required field reads as missing.</summary>
    internal static void Text(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            writer.WriteString(name, value.Trim());
        }
    }
}

/// <summary>One charge of a <see cref="PlanDraft"/>: the fields of every model, of which the chosen model's are written.</summary>
public sealed class ChargeDraft
{
    public string Meter { get; set; } = "";

    /// <summary>A model name of PRODUCT.md: standard, graduated, volume, package, percentage, graduated_percentage.</summary>
    public string Model { get; set; } = "standard";

    /// <summary>Units free each period before the model prices the rest (not for percentage models).</summary>
    public string FreeAllowance { get; set; } = "";

    public string UnitAmount { get; set; } = "";

    public string PackageAmount { get; set; } = "";

    public string PackageSize { get; set; } = "";

    public string PackageFreeUnits { get; set; } = "";

    public string Rate { get; set; } = "";

    public string FixedAmount { get; set; } = "";

    public string FreeEvents { get; set; } = "";

    public string FreeAmount { get; set; } = "";

    public string MinimumPerEvent { get; set; } = "";

    public string MaximumPerEvent { get; set; } = "";

    public List<RangeDraft> Ranges { get; set; } = [new RangeDraft { From = "0" }];

    /// <summary>True when the model prices in ranges.</summary>
    public bool HasRanges => Model is "graduated" or "volume" or "graduated_percentage";

    /// <summary>True when a range's price is a percentage rate rather than an amount per unit.</summary>
    public bool RangesAreRates => Model == "graduated_percentage";

    /// <summary>Adds a range after the last, starting where the last ends.</summary>
    public void AddRange() => Ranges.Add(new RangeDraft { From = Ranges.Count > 0 ? Ranges[^1].To : "0" });

    /// <summary>The draft of a stored charge.</summary>
    public static ChargeDraft From(PlanCharge charge)
    {
        ArgumentNullException.ThrowIfNull(charge);
        var draft = new ChargeDraft
        {
            Meter = charge.Meter,
            Model = ChargeModelNames.ToName(charge.Charge.Model),
            FreeAllowance = charge.FreeAllowance > 0 ? Decimals.ToText(charge.FreeAllowance) : "",
        };
        switch (charge.Charge.Properties)
        {
            case StandardProperties p:
                draft.UnitAmount = Decimals.ToText(p.UnitAmount);
                break;
            case GraduatedProperties p:
                draft.Ranges = [.. p.Ranges.Select(r => RangeDraft.Of(r, r.PerUnitAmount))];
                break;
            case VolumeProperties p:
                draft.Ranges = [.. p.Ranges.Select(r => RangeDraft.Of(r, r.PerUnitAmount))];
                break;
            case GraduatedPercentageProperties p:
                draft.Ranges = [.. p.Ranges.Select(r => RangeDraft.Of(r, r.Rate))];
                break;
            case PackageProperties p:
                draft.PackageAmount = Decimals.ToText(p.Amount);
                draft.PackageSize = Decimals.ToText(p.PackageSize);
                draft.PackageFreeUnits = p.FreeUnits > 0 ? Decimals.ToText(p.FreeUnits) : "";
                break;
            case PercentageProperties p:
                draft.Rate = Decimals.ToText(p.Rate);
                draft.FixedAmount = Optional(p.FixedAmount);
                draft.FreeEvents = p.FreeUnitsPerEvents?.ToString(CultureInfo.InvariantCulture) ?? "";
                draft.FreeAmount = Optional(p.FreeUnitsPerTotalAggregation);
                draft.MinimumPerEvent = Optional(p.PerTransactionMinAmount);
                draft.MaximumPerEvent = Optional(p.PerTransactionMaxAmount);
                break;
        }

        return draft;
    }

    internal void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        PlanDraft.Text(writer, "meter", Meter);
        PlanDraft.Text(writer, "model", Model);
        writer.WriteStartObject(ChargeValidator.PropertiesPath);
        switch (Model)
        {
            case "standard":
                PlanDraft.Text(writer, "unitAmount", UnitAmount);
                break;
            case "graduated" or "volume" or "graduated_percentage":
                writer.WriteStartArray("ranges");
                foreach (var range in Ranges)
                {
                    range.Write(writer, RangesAreRates ? "rate" : "perUnitAmount");
                }

                writer.WriteEndArray();
                break;
            case "package":
                PlanDraft.Text(writer, "amount", PackageAmount);
                PlanDraft.Text(writer, "packageSize", PackageSize);
                PlanDraft.Text(writer, "freeUnits", PackageFreeUnits);
                break;
            case "percentage":
                PlanDraft.Text(writer, "rate", Rate);
                PlanDraft.Text(writer, "fixedAmount", FixedAmount);
                PlanDraft.Text(writer, "freeUnitsPerEvents", FreeEvents);
                PlanDraft.Text(writer, "freeUnitsPerTotalAggregation", FreeAmount);
                PlanDraft.Text(writer, "perTransactionMinAmount", MinimumPerEvent);
                PlanDraft.Text(writer, "perTransactionMaxAmount", MaximumPerEvent);
                break;
        }

        writer.WriteEndObject();
        if (Model != "percentage")
        {
            PlanDraft.Text(writer, "freeAllowance", FreeAllowance);
        }

        writer.WriteEndObject();
    }

    private static string Optional(decimal? value) => value is { } number ? Decimals.ToText(number) : "";
}

/// <summary>One range of a charge being edited: its band, its price (an amount per unit, or a percentage rate), and a flat amount.</summary>
public sealed class RangeDraft
{
    public string From { get; set; } = "";

    /// <summary>Empty: unbounded (the last range).</summary>
    public string To { get; set; } = "";

    public string Price { get; set; } = "";

    public string Flat { get; set; } = "";

    internal static RangeDraft Of(IRange range, decimal price) => new()
    {
        From = Decimals.ToText(range.FromValue),
        To = range.ToValue is { } top ? Decimals.ToText(top) : "",
        Price = Decimals.ToText(price),
        Flat = range.FlatAmount > 0 ? Decimals.ToText(range.FlatAmount) : "",
    };

    internal void Write(Utf8JsonWriter writer, string priceName)
    {
        writer.WriteStartObject();
        PlanDraft.Text(writer, "fromValue", From);
        if (string.IsNullOrWhiteSpace(To))
        {
            writer.WriteNull("toValue");
        }
        else
        {
            writer.WriteString("toValue", To.Trim());
        }

        PlanDraft.Text(writer, priceName, Price);
        PlanDraft.Text(writer, "flatAmount", Flat);
        writer.WriteEndObject();
    }
}
