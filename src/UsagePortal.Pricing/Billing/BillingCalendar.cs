namespace UsagePortal.Pricing;

/// <summary>How a subscription's periods are cut.</summary>
public enum BillingAnchor
{
    /// <summary>Calendar months in the billing time zone; the first period runs from the start to the next 1st.</summary>
    Calendar,

    /// <summary>Months from the start date's day (the 31st becomes the last day of shorter months).</summary>
    Anniversary,
}

/// <summary>The wire names of <see cref="BillingAnchor"/>.</summary>
public static class BillingAnchorNames
{
    /// <summary>calendar or anniversary.</summary>
    public static string ToName(BillingAnchor anchor) => anchor == BillingAnchor.Calendar ? "calendar" : "anniversary";

    /// <summary>Parses a wire name (case-sensitive).</summary>
    public static bool TryParse(string? name, out BillingAnchor anchor)
    {
        anchor = name == "anniversary" ? BillingAnchor.Anniversary : BillingAnchor.Calendar;
        return name is "calendar" or "anniversary";
    }
}

/// <summary>
/// One billing period as UTC instants: [<see cref="Start"/>, <see cref="End"/>) is what is billed; it is the nominal
/// month [<see cref="NominalStart"/>, <see cref="NominalEnd"/>) clipped to the subscription's start and end.
/// </summary>
public sealed record BillingPeriod(DateTime Start, DateTime End, DateTime NominalStart, DateTime NominalEnd);

/// <summary>
/// Cuts a subscription's life into monthly periods in its billing time zone. Periods begin at local midnight;
/// a midnight skipped by a daylight-saving jump moves to the first valid instant after it. Proration counts
/// wall-clock time in the zone, so a 31-day month is 31 days even across a DST change.
/// </summary>
public sealed class BillingCalendar
{
    private readonly TimeZoneInfo zone;
    private readonly DateTime startsAt;
    private readonly DateTime? endsAt;
    private readonly DateTime localStart;

    /// <param name="anchor">Calendar or anniversary months.</param>
    /// <param name="zone">The billing time zone.</param>
    /// <param name="startsAt">The subscription's start, UTC.</param>
    /// <param name="endsAt">Its end (cancellation), UTC; null while it runs.</param>
    public BillingCalendar(BillingAnchor anchor, TimeZoneInfo zone, DateTime startsAt, DateTime? endsAt = null)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (startsAt.Kind != DateTimeKind.Utc || endsAt is { Kind: not DateTimeKind.Utc })
        {
            throw new ArgumentException("Instants must be UTC.", nameof(startsAt));
        }

        Anchor = anchor;
        this.zone = zone;
        this.startsAt = startsAt;
        this.endsAt = endsAt;
        localStart = TimeZoneInfo.ConvertTimeFromUtc(startsAt, zone);
    }

    /// <summary>How periods are cut.</summary>
    public BillingAnchor Anchor { get; }

    /// <summary>The period that contains <paramref name="instant"/> (UTC), or null before the start or at/after the end.</summary>
    public BillingPeriod? PeriodAt(DateTime instant)
    {
        if (instant < startsAt || instant >= endsAt)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTimeFromUtc(instant, zone);
        var (nominalStart, nominalEnd) = Anchor == BillingAnchor.Calendar ? CalendarMonth(local) : AnniversaryMonth(local);
        var start = nominalStart < startsAt ? startsAt : nominalStart;
        var end = endsAt is { } ends && ends < nominalEnd ? ends : nominalEnd;
        return new BillingPeriod(start, end, nominalStart, nominalEnd);
    }

    /// <summary>The first period: the one that contains the start.</summary>
    public BillingPeriod First => PeriodAt(startsAt)!;

    /// <summary>The period after <paramref name="period"/>, or null when the subscription has ended by then.</summary>
    public BillingPeriod? Next(BillingPeriod period) => PeriodAt(period.NominalEnd);

    /// <summary>
    /// The share of the nominal period that [<paramref name="from"/>, <paramref name="to"/>) covers, as exact wall-clock
    /// ticks (billed, whole), ready for <see cref="RecurringFee.Prorate"/>.
    /// </summary>
    public (decimal Billed, decimal Whole) Share(BillingPeriod period, DateTime from, DateTime to)
    {
        ArgumentNullException.ThrowIfNull(period);
        var whole = Local(period.NominalEnd) - Local(period.NominalStart);
        var billed = Local(to) - Local(from);
        return (Math.Clamp(billed.Ticks, 0, whole.Ticks), whole.Ticks);
    }

    private DateTime Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, zone);

    private (DateTime Start, DateTime End) CalendarMonth(DateTime local)
    {
        var first = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return (ToUtc(first), ToUtc(first.AddMonths(1)));
    }

    private (DateTime Start, DateTime End) AnniversaryMonth(DateTime local)
    {
        var startDate = localStart.Date;
        var months = (local.Year - startDate.Year) * 12 + local.Month - startDate.Month;
        // The anniversary in the instant's month may still be ahead of it: then the period began a month earlier.
        if (local < AnniversaryAfter(startDate, months))
        {
            months--;
        }

        return (ToUtc(AnniversaryAfter(startDate, months)), ToUtc(AnniversaryAfter(startDate, months + 1)));
    }

    /// <summary>The start date moved <paramref name="months"/> months on, its day clamped to the month's length.</summary>
    private static DateTime AnniversaryAfter(DateTime startDate, int months)
    {
        var month = new DateTime(startDate.Year, startDate.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(months);
        var day = Math.Min(startDate.Day, DateTime.DaysInMonth(month.Year, month.Month));
        return month.AddDays(day - 1);
    }

    private DateTime ToUtc(DateTime local) => LocalCalendar.ToUtc(local, zone);
}
