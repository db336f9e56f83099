namespace UsagePortal.Domain.UsageReads;

public static class BillingPeriods
{
    /// <summary>The calendar month containing <paramref name="utcNow"/> in <paramref name="zone"/>, as UTC instants [start, end).</summary>
    public static (DateTime Start, DateTime End) CalendarMonth(TimeZoneInfo zone, DateTime utcNow)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utcNow, zone);
        var localStart = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return (ToUtc(localStart, zone), ToUtc(localStart.AddMonths(1), zone));
    }

    /// <summary>Local midnight to UTC; a midnight skipped by a daylight-saving jump moves to the first valid instant after it.</summary>
    private static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
