using System.Globalization;
using System.Text.Json;

namespace UsagePortal.Metering;

/// <summary>
/// What a meter accepts in the places it reads (PRODUCT.md, "Event values"). Ingestion rejects a batch that holds anything
/// else there, naming the event and the field, instead of storing an event that silently does not count.
/// </summary>
/// <remarks>
/// A number a meter sums, maximises or keeps as latest is a finite decimal within ±10^15 with at most 12 decimal places
/// (trailing zeros do not count), written as a JSON number or as a string holding one ("12.5"). Strings that filters,
/// group-by and unique counts compare are at most 256 characters. These bounds keep every sum of a period exact in a
/// decimal and every group key small.
/// </remarks>
public static class MeterValues
{
    /// <summary>The largest magnitude of a number a meter reads.</summary>
    public const decimal MaxMagnitude = 1_000_000_000_000_000m;

    /// <summary>The most decimal places of a number a meter reads.</summary>
    public const int MaxDecimalPlaces = 12;

    /// <summary>The longest value, in characters, that filters, group-by and unique counts compare.</summary>
    public const int MaxStringLength = 256;

    private const string NumberRule = "a finite number within ±1,000,000,000,000,000 with at most 12 decimal places";

    /// <summary>Null when <paramref name="value"/> is a number a meter may read; otherwise why not, as a sentence's predicate.</summary>
    public static string? CheckNumber(DataValue value)
    {
        switch (value.Kind)
        {
            case JsonValueKind.Number or JsonValueKind.String:
                var parsed = ExactDecimal.TryParse(value.Text, out var number);
                if (parsed == DecimalParseResult.NotANumber)
                {
                    return value.Kind == JsonValueKind.String
                        ? $"must be {NumberRule}, as a JSON number or a decimal string such as \"12.5\"; \"{Shorten(value.Text)}\" is not a decimal number"
                        : $"must be {NumberRule}; {Shorten(value.Text)} is not";
                }

                if (parsed == DecimalParseResult.OutOfRange || Math.Abs(number) > MaxMagnitude || DecimalPlaces(number) > MaxDecimalPlaces)
                {
                    return $"must be {NumberRule}; {Shorten(value.Text)} is not";
                }

                return null;
            case JsonValueKind.Null:
                return $"must be {NumberRule}, not null (leave the property out when the event should not count)";
            default:
                return $"must be {NumberRule}, not {Describe(value.Kind)}";
        }
    }

    /// <summary>Null when the text of <paramref name="value"/> is short enough to compare; otherwise why not.</summary>
    public static string? CheckText(DataValue value) =>
        value.Text.Length <= MaxStringLength
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"is {value.Text.Length:N0} characters long; values that filters, group-by and unique counts compare are at most {MaxStringLength}");

    /// <summary>Decimal places of the value once trailing zeros are dropped.</summary>
    private static int DecimalPlaces(decimal value)
    {
        var scale = value.Scale;
        if (scale == 0)
        {
            return 0;
        }

        // Division by 1 with trailing zeros normalizes the scale to the fewest places that keep the value.
        var normalized = value / 1.000000000000000000000000000000000m;
        return normalized.Scale;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "this value",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
