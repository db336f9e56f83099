using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>Writes typed properties back in the JSON shape <see cref="ChargePropertiesReader"/> reads.</summary>
internal static class ChargePropertiesWriter
{
    public static void Write(Utf8JsonWriter writer, ChargeProperties properties)
    {
        writer.WriteStartObject();
        switch (properties)
        {
            case StandardProperties p:
                WriteDecimal(writer, "unitAmount", p.UnitAmount);
                break;
            case GraduatedProperties p:
                WriteRanges(writer, p.Ranges, (w, r) => WriteDecimal(w, "perUnitAmount", r.PerUnitAmount));
                break;
            case VolumeProperties p:
                WriteRanges(writer, p.Ranges, (w, r) => WriteDecimal(w, "perUnitAmount", r.PerUnitAmount));
                break;
            case GraduatedPercentageProperties p:
                WriteRanges(writer, p.Ranges, (w, r) => WriteDecimal(w, "rate", r.Rate));
                break;
            case PackageProperties p:
                WriteDecimal(writer, "amount", p.Amount);
                WriteDecimal(writer, "packageSize", p.PackageSize);
                WriteDecimal(writer, "freeUnits", p.FreeUnits);
                break;
            case PercentageProperties p:
                WriteDecimal(writer, "rate", p.Rate);
                WriteOptionalDecimal(writer, "fixedAmount", p.FixedAmount);
                if (p.FreeUnitsPerEvents is { } events)
                {
                    // An event count, not money: written as a JSON integer.
                    writer.WriteNumber("freeUnitsPerEvents", events);
                }

                WriteOptionalDecimal(writer, "freeUnitsPerTotalAggregation", p.FreeUnitsPerTotalAggregation);
                WriteOptionalDecimal(writer, "perTransactionMinAmount", p.PerTransactionMinAmount);
                WriteOptionalDecimal(writer, "perTransactionMaxAmount", p.PerTransactionMaxAmount);
                break;
            default:
                throw new ArgumentException($"Unsupported properties type {properties.GetType().Name}.", nameof(properties));
        }

        writer.WriteEndObject();
    }

    internal static void WriteDecimal(Utf8JsonWriter writer, string name, decimal value) =>
        writer.WriteString(name, DecimalText.Format(value));

    internal static void WriteOptionalDecimal(Utf8JsonWriter writer, string name, decimal? value)
    {
        if (value is { } present)
        {
            WriteDecimal(writer, name, present);
        }
    }

    private static void WriteRanges<T>(Utf8JsonWriter writer, IReadOnlyList<T> ranges, Action<Utf8JsonWriter, T> writePrice)
        where T : IRange
    {
        writer.WriteStartArray("ranges");
        foreach (var range in ranges)
        {
            writer.WriteStartObject();
            WriteDecimal(writer, "fromValue", range.FromValue);
            if (range.ToValue is { } top)
            {
                WriteDecimal(writer, "toValue", top);
            }
            else
            {
                writer.WriteNull("toValue");
            }

            writePrice(writer, range);
            WriteDecimal(writer, "flatAmount", range.FlatAmount);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
