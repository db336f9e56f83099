using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>
/// Reads and writes the charge JSON of PRODUCT.md:
/// <c>{ "meter": "api_calls", "model": "graduated", "properties": { "ranges": [ ... ] } }</c>.
/// Decimals are accepted as JSON strings or numbers (numbers are read from their text, never
/// through <see cref="double"/>) and written as strings.
/// </summary>
/// <remarks>
/// Inside <c>properties</c> (and inside each range) an unknown field is an error, because a
/// misspelt optional price would otherwise silently become 0. Unknown fields next to
/// <c>meter</c>/<c>model</c>/<c>properties</c> are ignored, so the plans API can carry more per charge.
/// Optional fields: <c>toValue</c> (absent = null = unbounded), <c>flatAmount</c> (0), package
/// <c>freeUnits</c> (0) and every percentage field except <c>rate</c>; JSON null counts as absent.
/// </remarks>
public static class ChargeJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>Parses and validates a charge from JSON text.</summary>
    /// <param name="json">The charge document.</param>
    /// <param name="meterRequired">False for a price preview, whose charge has no meter.</param>
    public static ChargeParseResult Parse(string json, bool meterRequired = true)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement, meterRequired);
        }
        catch (JsonException exception)
        {
            return new ChargeParseResult(null, [new("$", $"is not valid JSON: {exception.Message}")]);
        }
    }

    /// <summary>
    /// Parses and validates a charge from an already parsed element; every error is returned,
    /// each naming its field (<c>properties.ranges[1].fromValue</c>).
    /// </summary>
    /// <param name="element">The charge object.</param>
    /// <param name="meterRequired">False for a price preview, whose charge has no meter.</param>
    public static ChargeParseResult Parse(JsonElement element, bool meterRequired = true)
    {
        var errors = new List<ValidationError>();
        var root = JsonObjectReader.For(element, "$", errors);
        if (root is null)
        {
            return new ChargeParseResult(null, errors);
        }

        var meter = root.String("meter", meterRequired);
        var modelName = root.String("model", required: true);
        ChargeModel? model = null;
        if (modelName is not null)
        {
            if (ChargeModelNames.TryParse(modelName, out var known))
            {
                model = known;
            }
            else
            {
                errors.Add(new("model", $"'{modelName}' is not a pricing model; expected one of {string.Join(", ", ChargeModelNames.All)}"));
            }
        }

        ChargeProperties? properties = null;
        if (root.Element(ChargeValidator.PropertiesPath, required: true) is { } propertiesElement
            && JsonObjectReader.For(propertiesElement, ChargeValidator.PropertiesPath, errors) is { } reader
            && model is { } chargeModel)
        {
            properties = ChargePropertiesReader.Read(chargeModel, reader, errors);
        }

        return errors.Count == 0 && properties is not null
            ? new ChargeParseResult(new Charge(meter, properties), [])
            : new ChargeParseResult(null, errors);
    }

    /// <summary>Writes a charge in the charge JSON shape, decimals as strings.</summary>
    public static string Serialize(Charge charge)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            Write(writer, charge);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes a charge in the charge JSON shape, decimals as strings.</summary>
    public static void Write(Utf8JsonWriter writer, Charge charge)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(charge);
        writer.WriteStartObject();
        if (charge.Meter is not null)
        {
            writer.WriteString("meter", charge.Meter);
        }

        writer.WriteString("model", ChargeModelNames.ToName(charge.Model));
        writer.WritePropertyName(ChargeValidator.PropertiesPath);
        ChargePropertiesWriter.Write(writer, charge.Properties);
        writer.WriteEndObject();
    }
}

/// <summary>The outcome of parsing a charge: the charge, or every error found.</summary>
public sealed record ChargeParseResult(Charge? Charge, IReadOnlyList<ValidationError> Errors)
{
    /// <summary>True when <see cref="Charge"/> is set and there are no errors.</summary>
    [MemberNotNullWhen(true, nameof(Charge))]
    public bool IsValid => Charge is not null && Errors.Count == 0;
}
