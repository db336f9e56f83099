using System.Globalization;
using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>Decimal ⇄ text with the invariant culture, the only way decimals enter or leave JSON here.</summary>
internal static class DecimalText
{
    // Exponents are allowed because JSON numbers may use them ("1.5e3"); no whitespace, no
    // thousands separators, no currency symbols: a price is data, not display text.
    private const NumberStyles Style =
        NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    public static bool TryParse(string text, out decimal value) =>
        decimal.TryParse(text, Style, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Reads a decimal from a JSON number or string. Numbers are parsed from their raw text, never
    /// through <see cref="double"/>, so "0.1" is exactly 0.1.
    /// </summary>
    public static bool TryRead(JsonElement element, out decimal value)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.Number => element.GetRawText(),
            JsonValueKind.String => element.GetString(),
            _ => null,
        };

        value = 0m;
        return text is not null && TryParse(text, out value);
    }

    /// <summary>Keeps the scale the value was written with ("0.10" stays "0.10").</summary>
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
