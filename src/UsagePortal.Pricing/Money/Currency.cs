using System.Diagnostics.CodeAnalysis;

namespace UsagePortal.Pricing;

/// <summary>
/// An ISO 4217 currency and its minor-unit exponent, and the product's single rounding rule:
/// an exact amount is rounded to the currency's minor unit, half away from zero, exactly once,
/// in <see cref="RoundToMinorUnits"/>. Every other rounding in the product goes through it.
/// </summary>
public sealed record Currency
{
    private Currency(string code, int minorUnitExponent)
    {
        Code = code;
        MinorUnitExponent = minorUnitExponent;
    }

    /// <summary>The upper-case ISO 4217 alphabetic code, for example <c>EUR</c>.</summary>
    public string Code { get; }

    /// <summary>Number of decimal places of the minor unit: 2 for EUR, 0 for JPY, 3 for KWD.</summary>
    public int MinorUnitExponent { get; }

    /// <summary>Every currency code this engine accepts, upper case, sorted.</summary>
    public static IReadOnlyList<string> KnownCodes => IsoCurrencyTable.Codes;

    /// <summary>
    /// Looks up a currency by its ISO 4217 code (case-insensitive, so Stripe's lower-case
    /// codes are accepted); the returned <see cref="Code"/> is always upper case.
    /// </summary>
    public static bool TryFromCode([NotNullWhen(true)] string? code, [NotNullWhen(true)] out Currency? currency)
    {
        currency = null;
        if (code is null || !IsoCurrencyTable.TryGetExponent(code, out var canonical, out var exponent))
        {
            return false;
        }

        currency = new Currency(canonical, exponent);
        return true;
    }

    /// <summary>Looks up a currency by its ISO 4217 code.</summary>
    /// <exception cref="ArgumentException">The code is not a known ISO 4217 currency.</exception>
    public static Currency FromCode(string code) =>
        TryFromCode(code, out var currency)
            ? currency
            : throw new ArgumentException($"'{code}' is not a known ISO 4217 currency code.", nameof(code));

    /// <summary>
    /// THE rounding rule: rounds an exact amount in currency units to whole minor units,
    /// half away from zero (2.345 USD → 235, −2.345 USD → −235, 2.5 JPY → 3).
    /// </summary>
    /// <exception cref="OverflowException">The amount does not fit in a 64-bit count of minor units.</exception>
    public long RoundToMinorUnits(decimal amount)
    {
        // Round first, then scale: the rounded value has at most MinorUnitExponent decimals, so
        // the multiplication below is exact and nothing can be rounded a second time.
        var rounded = Math.Round(amount, MinorUnitExponent, MidpointRounding.AwayFromZero);
        return decimal.ToInt64(rounded * MinorUnitFactor);
    }

    /// <summary>Rounds an exact amount to the minor unit and returns it in currency units.</summary>
    public decimal Round(decimal amount) => FromMinorUnits(RoundToMinorUnits(amount));

    /// <summary>Converts whole minor units to an amount in currency units (1234 USD cents → 12.34).</summary>
    public decimal FromMinorUnits(long minorUnits) => minorUnits / MinorUnitFactor;

    /// <summary>
    /// Converts an amount that is already whole in minor units; refuses one that would need
    /// rounding, so that callers cannot round by accident outside <see cref="RoundToMinorUnits"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The amount has more decimals than the minor unit.</exception>
    public long ToMinorUnitsExact(decimal amount)
    {
        var scaled = amount * MinorUnitFactor;
        if (scaled != decimal.Truncate(scaled))
        {
            throw new ArgumentException(
                $"{amount} {Code} is not a whole number of minor units (exponent {MinorUnitExponent}).",
                nameof(amount));
        }

        return decimal.ToInt64(scaled);
    }

    /// <summary>Formats minor units as a plain decimal string in currency units with exactly
    /// <see cref="MinorUnitExponent"/> decimals and no symbol: 1234 → "12.34", JPY 5 → "5".</summary>
    public string FormatMinorUnits(long minorUnits) =>
        FromMinorUnits(minorUnits).ToString("F" + MinorUnitExponent, System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => Code;

    private decimal MinorUnitFactor => IsoCurrencyTable.PowerOfTen(MinorUnitExponent);
}
