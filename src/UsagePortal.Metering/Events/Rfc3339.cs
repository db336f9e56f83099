namespace UsagePortal.Metering;

/// <summary>
/// A strict RFC 3339 date-time parser (<c>2025-01-31T12:00:00.123Z</c>, <c>...+02:00</c>): a date, a time
/// with seconds and an offset are all required, because a timestamp without an offset would be read in
/// someone's local zone. Fractions beyond 100 ns are truncated; leap seconds (<c>:60</c>) are refused because
/// <see cref="DateTimeOffset"/> cannot hold them.
/// </summary>
internal static class Rfc3339
{
    private const int MaxLength = 64;

    public static bool TryParse(string text, out DateTimeOffset utc)
    {
        utc = default;
        if (text.Length > MaxLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxLength];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        return TryParse(bytes[..text.Length], out utc);
    }

    public static bool TryParse(ReadOnlySpan<byte> s, out DateTimeOffset utc)
    {
        utc = default;
        if (s.Length < 20 || s.Length > MaxLength
            || !TryDigits(s, 0, 4, out var year) || s[4] != '-'
            || !TryDigits(s, 5, 2, out var month) || s[7] != '-'
            || !TryDigits(s, 8, 2, out var day) || (s[10] != 'T' && s[10] != 't')
            || !TryDigits(s, 11, 2, out var hour) || s[13] != ':'
            || !TryDigits(s, 14, 2, out var minute) || s[16] != ':'
            || !TryDigits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (s[i] == '.')
        {
            var start = ++i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i]))
            {
                if (i - start < 7)
                {
                    fractionTicks = (fractionTicks * 10) + (s[i] - '0');
                }

                i++;
            }

            var digits = i - start;
            if (digits == 0)
            {
                return false;
            }

            for (var d = digits; d < 7; d++)
            {
                fractionTicks *= 10;
            }
        }

        if (i >= s.Length)
        {
            return false;
        }

        long offsetTicks;
        if (s[i] == 'Z' || s[i] == 'z')
        {
            offsetTicks = 0;
            i++;
        }
        else if (s[i] == '+' || s[i] == '-')
        {
            var sign = s[i] == '-' ? -1 : 1;
            if (s.Length - i != 6
                || !TryDigits(s, i + 1, 2, out var offsetHours) || s[i + 3] != ':'
                || !TryDigits(s, i + 4, 2, out var offsetMinutes)
                || offsetHours > 23 || offsetMinutes > 59)
            {
                return false;
            }

            offsetTicks = sign * ((offsetHours * TimeSpan.TicksPerHour) + (offsetMinutes * TimeSpan.TicksPerMinute));
            i += 6;
        }
        else
        {
            return false;
        }

        if (i != s.Length
            || year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var localTicks = new DateTime(year, month, day, hour, minute, second).Ticks + fractionTicks;
        var utcTicks = localTicks - offsetTicks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        utc = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = s[i];
            if (c < '0' || c > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
