using System.Text.Json;
using System.Text.Json.Serialization;

namespace UsagePortal.Metering;

/// <summary>How a meter turns matching events into a quantity. On the wire: <c>count|sum|max|unique_count|latest</c>.</summary>
/// <remarks>Numbering starts at 1 so that an unset value is not silently a count meter.</remarks>
[JsonConverter(typeof(MeterAggregationJsonConverter))]
public enum MeterAggregation
{
    /// <summary>The number of matching events.</summary>
    Count = 1,

    /// <summary>The sum of a numeric property.</summary>
    Sum,

    /// <summary>The largest value of a numeric property.</summary>
    Max,

    /// <summary>The number of distinct values of a property.</summary>
    UniqueCount,

    /// <summary>The numeric property of the latest event (by event time).</summary>
    Latest,
}

/// <summary>The snake_case wire names of <see cref="MeterAggregation"/>.</summary>
public static class MeterAggregationNames
{
    /// <summary>Every wire name, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = ["count", "sum", "max", "unique_count", "latest"];

    /// <summary>The wire name, e.g. <c>unique_count</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined aggregation.</exception>
    public static string ToWireName(this MeterAggregation aggregation) =>
        IsDefined(aggregation)
            ? All[(int)aggregation - 1]
            : throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Not a meter aggregation.");

    /// <summary>Reads a wire name; exact, lowercase.</summary>
    public static bool TryParse(string? wireName, out MeterAggregation aggregation)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], wireName, StringComparison.Ordinal))
            {
                aggregation = (MeterAggregation)(i + 1);
                return true;
            }
        }

        aggregation = default;
        return false;
    }

    /// <summary>True for the five aggregations; false for any other numeric value.</summary>
    public static bool IsDefined(MeterAggregation aggregation) =>
        aggregation is >= MeterAggregation.Count and <= MeterAggregation.Latest;
}

/// <summary>Reads and writes <see cref="MeterAggregation"/> as its wire name; numbers are refused.</summary>
public sealed class MeterAggregationJsonConverter : JsonConverter<MeterAggregation>
{
    /// <inheritdoc/>
    public override MeterAggregation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && MeterAggregationNames.TryParse(reader.GetString(), out var aggregation)
            ? aggregation
            : throw new JsonException($"aggregation must be one of {string.Join(", ", MeterAggregationNames.All)}.");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, MeterAggregation value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWireName());
}
