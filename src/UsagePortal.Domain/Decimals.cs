using System.Globalization;

namespace UsagePortal.Domain;

/// <summary>Decimals as they leave the system: as strings, so that no client parses money or quantities as binary floats.</summary>
public static class Decimals
{
    /// <summary>Invariant text without trailing zeros in the scale ("12", not "12.0").</summary>
    public static string ToText(decimal value) => Normalize(value).ToString(CultureInfo.InvariantCulture);

    /// <summary>The same value without trailing zeros in its scale (SQLite hands 12 back as 12.0).</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
