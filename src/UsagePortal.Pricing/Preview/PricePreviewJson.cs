using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>
/// The JSON of <c>POST /api/v1/price-preview</c>. Request:
/// <c>{ "charge": { "model", "properties" }, "units": "21", "eventCount": 2, "eventValues": ["10", "20"] }</c>;
/// answer: <c>{ "amount": "163", "breakdown": [ { "kind": "range", "fromValue": "0", ... } ] }</c>,
/// decimals as strings and unused row fields left out.
/// </summary>
public static class PricePreviewJson
{
    /// <summary>Parses a request body from JSON text.</summary>
    public static PricePreviewParseResult Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException exception)
        {
            return new PricePreviewParseResult(null, [new("$", $"is not valid JSON: {exception.Message}")]);
        }
    }

    /// <summary>
    /// Parses a request body; every error is returned, charge errors under <c>charge.</c>
    /// (<c>charge.properties.ranges[0].toValue</c>).
    /// </summary>
    public static PricePreviewParseResult Parse(JsonElement body)
    {
        var errors = new List<ValidationError>();
        var root = JsonObjectReader.For(body, "$", errors);
        if (root is null)
        {
            return new PricePreviewParseResult(null, errors);
        }

        Charge? charge = null;
        if (root.Element("charge", required: true) is { } chargeElement)
        {
            var parsed = ChargeJson.Parse(chargeElement, meterRequired: false);
            charge = parsed.Charge;
            errors.AddRange(parsed.Errors.Select(e => e.Under("charge")));
        }

        var units = root.RequiredDecimal("units");
        var eventCount = root.OptionalWholeNumber("eventCount");
        var eventValues = ReadEventValues(root, errors);

        return errors.Count == 0 && charge is not null && units is { } u
            ? new PricePreviewParseResult(new PricePreviewRequest(charge, u, eventCount, eventValues), [])
            : new PricePreviewParseResult(null, errors);
    }

    /// <summary>Writes the answer: exact amount and breakdown, decimals as strings.</summary>
    public static string Serialize(PriceResult price)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, price);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the answer: exact amount and breakdown, decimals as strings.</summary>
    public static void Write(Utf8JsonWriter writer, PriceResult price)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(price);
        writer.WriteStartObject();
        ChargePropertiesWriter.WriteDecimal(writer, "amount", price.Amount);
        writer.WriteStartArray("breakdown");
        foreach (var row in price.Breakdown)
        {
            WriteRow(writer, row);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The wire name of a breakdown kind, e.g. <c>raised_to_minimum</c>.</summary>
    public static string KindName(BreakdownKind kind) => kind switch
    {
        BreakdownKind.Units => "units",
        BreakdownKind.Range => "range",
        BreakdownKind.Free => "free",
        BreakdownKind.Packages => "packages",
        BreakdownKind.Rated => "rated",
        BreakdownKind.RaisedToMinimum => "raised_to_minimum",
        BreakdownKind.CappedAtMaximum => "capped_at_maximum",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown breakdown kind."),
    };

    private static void WriteRow(Utf8JsonWriter writer, BreakdownRow row)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", KindName(row.Kind));
        if (row.Kind == BreakdownKind.Range)
        {
            ChargePropertiesWriter.WriteOptionalDecimal(writer, "fromValue", row.FromValue);
            if (row.ToValue is { } top)
            {
                ChargePropertiesWriter.WriteDecimal(writer, "toValue", top);
            }
            else
            {
                writer.WriteNull("toValue");
            }
        }

        ChargePropertiesWriter.WriteDecimal(writer, "units", row.Units);
        ChargePropertiesWriter.WriteOptionalDecimal(writer, "perUnitAmount", row.PerUnitAmount);
        ChargePropertiesWriter.WriteOptionalDecimal(writer, "rate", row.Rate);
        ChargePropertiesWriter.WriteDecimal(writer, "flatAmount", row.FlatAmount);
        if (row.EventCount is { } events)
        {
            writer.WriteNumber("eventCount", events);
        }

        if (row.PackageCount is { } packages)
        {
            writer.WriteNumber("packageCount", packages);
        }

        ChargePropertiesWriter.WriteDecimal(writer, "amount", row.Amount);
        writer.WriteEndObject();
    }

    private static List<decimal>? ReadEventValues(JsonObjectReader root, List<ValidationError> errors)
    {
        if (root.Element("eventValues", required: false) is not { } array)
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new("eventValues", "must be an array of decimal numbers"));
            return null;
        }

        var values = new List<decimal>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (DecimalText.TryRead(element, out var value))
            {
                values.Add(value);
            }
            else
            {
                errors.Add(new($"eventValues[{index}]", JsonObjectReader.NotADecimal));
            }

            index++;
        }

        return values;
    }
}

/// <summary>The outcome of parsing a price-preview request.</summary>
public sealed record PricePreviewParseResult(PricePreviewRequest? Request, IReadOnlyList<ValidationError> Errors)
{
    /// <summary>True when <see cref="Request"/> is set and there are no errors.</summary>
    [MemberNotNullWhen(true, nameof(Request))]
    public bool IsValid => Request is not null && Errors.Count == 0;
}
