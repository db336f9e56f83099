namespace UsagePortal.Pricing;

/// <summary>
/// Local days and clock changes, in one place: billing periods, the dashboard's days, credit expiry and start dates all
/// turn a local date or time into a UTC instant here. A local time that a daylight-saving jump skips (the clocks go from
/// 00:00 to 01:00 in Santiago, from 02:00 to 02:30 on Lord Howe Island) becomes the first instant that exists after it:
/// the moment of the jump. An ambiguous local time (the clocks go back) is read as the zone's standard time.
/// </summary>
public static class LocalCalendar
{
    /// <summary>The UTC instant of local <paramref name="local"/> (its kind is ignored) in <paramref name="zone"/>.</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (!zone.IsInvalidTime(local))
        {
            return TimeZoneInfo.ConvertTimeToUtc(local, zone);
        }

        // In a gap: the earliest instant whose local time is at or after `local` is the jump itself. Local time only
        // grows with UTC around a forward jump, so a binary search over a day either side finds it to the tick.
        var low = TimeZoneInfo.ConvertTimeToUtc(Valid(local.AddHours(-12), zone, -1), zone);
        var high = TimeZoneInfo.ConvertTimeToUtc(Valid(local.AddHours(12), zone, 1), zone);
        while (high - low > TimeSpan.FromTicks(1))
        {
            var middle = low + ((high - low) / 2);
            if (TimeZoneInfo.ConvertTimeFromUtc(middle, zone) >= local)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return DateTime.SpecifyKind(high, DateTimeKind.Utc);
    }

    /// <summary>Local midnight at the start of <paramref name="date"/>, in UTC.</summary>
    public static DateTime StartOfDay(DateOnly date, TimeZoneInfo zone) => ToUtc(date.ToDateTime(TimeOnly.MinValue), zone);

    /// <summary>The local date of the instant <paramref name="utc"/>.</summary>
    public static DateOnly DateOf(DateTime utc, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));
    }

    /// <summary>The local calendar month that holds <paramref name="utc"/>, as UTC instants [start, end).</summary>
    public static (DateTime Start, DateTime End) CalendarMonth(DateTime utc, TimeZoneInfo zone)
    {
        var date = DateOf(utc, zone);
        var first = new DateOnly(date.Year, date.Month, 1);
        return (StartOfDay(first, zone), StartOfDay(first.AddMonths(1), zone));
    }

    private static DateTime Valid(DateTime local, TimeZoneInfo zone, int direction)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddHours(direction);
        }

        return local;
    }
}
