using UsagePortal.Pricing;

namespace UsagePortal.Domain.UsageReads;

public static class BillingPeriods
{
    /// <summary>The calendar month containing <paramref name="utcNow"/> in <paramref name="zone"/>, as UTC instants [start, end).</summary>
    public static (DateTime Start, DateTime End) CalendarMonth(TimeZoneInfo zone, DateTime utcNow) => LocalCalendar.CalendarMonth(utcNow, zone);
}
