using System.Globalization;

namespace UsagePortal.Metering;

internal enum DecimalParseResult
{
    Parsed,
    NotANumber,
    OutOfRange,
}

/// <summary>
/// Parses JSON number text into a decimal only when the decimal holds it exactly: at most 28 significant
/// digits (29 when they fit decimal's 96-bit mantissa), at most 28 decimal places, within decimal's range.
/// A double never takes part, so 0.1 is 0.1.
/// </summary>
internal static class ExactDecimal
{
    private const int MaxSignificantDigits = 28;
    private const int MaxScale = 28;
    private const int MaxExponentDigitsTracked = 6;

    public static DecimalParseResult TryParse(ReadOnlySpan<char> text, out decimal value)
    {
        value = 0m;
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        var integerStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        var integerLength = i - integerStart;
        if (integerLength == 0 || (integerLength > 1 && text[integerStart] == '0'))
        {
            return DecimalParseResult.NotANumber;
        }

        var fractionStart = i;
        var fractionLength = 0;
        if (i < text.Length && text[i] == '.')
        {
            fractionStart = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            fractionLength = i - fractionStart;
            if (fractionLength == 0)
            {
                return DecimalParseResult.NotANumber;
            }
        }

        long exponent = 0;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            var negative = false;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                negative = text[i] == '-';
                i++;
            }

            var exponentStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                // Past a few digits the value is far outside decimal's range either way.
                if (i - exponentStart < MaxExponentDigitsTracked)
                {
                    exponent = (exponent * 10) + (text[i] - '0');
                }

                i++;
            }

            if (i == exponentStart)
            {
                return DecimalParseResult.NotANumber;
            }

            if (negative)
            {
                exponent = -exponent;
            }
        }

        if (i != text.Length)
        {
            return DecimalParseResult.NotANumber;
        }

        var digitCount = integerLength + fractionLength;
        var first = -1;
        var last = -1;
        for (var k = 0; k < digitCount; k++)
        {
            var digit = k < integerLength ? text[integerStart + k] : text[fractionStart + k - integerLength];
            if (digit != '0')
            {
                if (first < 0)
                {
                    first = k;
                }

                last = k;
            }
        }

        if (first < 0)
        {
            return DecimalParseResult.Parsed;
        }

        // The power of ten of the digit at position k is (integerLength - 1 - k) + exponent.
        var significantDigits = last - first + 1;
        var lowestPower = integerLength - 1 - last + exponent;
        var highestPower = integerLength - 1 - first + exponent;
        if (significantDigits > MaxSignificantDigits + 1 || lowestPower < -MaxScale || highestPower > MaxSignificantDigits)
        {
            return DecimalParseResult.OutOfRange;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return DecimalParseResult.OutOfRange;
        }

        // 28 digits always fit decimal's 96-bit mantissa; 29 fit only below 2^96, where the parser would
        // otherwise round, so check that every digit survived.
        if (significantDigits > MaxSignificantDigits && !SameDigits(text, integerStart, integerLength, fractionStart, first, last, value))
        {
            value = 0m;
            return DecimalParseResult.OutOfRange;
        }

        return DecimalParseResult.Parsed;
    }

    private static bool SameDigits(ReadOnlySpan<char> text, int integerStart, int integerLength, int fractionStart, int first, int last, decimal value)
    {
        Span<char> parsed = stackalloc char[64];
        if (!Math.Abs(value).TryFormat(parsed, out var written, provider: CultureInfo.InvariantCulture))
        {
            return false;
        }

        var digits = parsed[..written];
        var position = 0;
        for (var k = first; k <= last; k++)
        {
            while (position < digits.Length && (digits[position] == '.' || (k == first && digits[position] == '0')))
            {
                position++;
            }

            var expected = k < integerLength ? text[integerStart + k] : text[fractionStart + k - integerLength];
            if (position >= digits.Length || digits[position] != expected)
            {
                return false;
            }

            position++;
        }

        return true;
    }
}
