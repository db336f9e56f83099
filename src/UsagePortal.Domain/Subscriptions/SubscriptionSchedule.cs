using UsagePortal.Data.Billing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Subscriptions;

/// <summary>A subscription's periods, and the bookkeeping of which one the invoicer closes next.</summary>
public static class SubscriptionSchedule
{
    public static BillingCalendar Calendar(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        BillingAnchorNames.TryParse(subscription.BillingAnchor, out var anchor);
        return new BillingCalendar(anchor, TimeZoneInfo.FindSystemTimeZoneById(subscription.TimeZone), subscription.StartsAt, subscription.EndsAt);
    }

    /// <summary>
    /// Points <see cref="Subscription.NextPeriodStart"/>/<see cref="Subscription.NextPeriodEnd"/> at the period that contains
    /// <paramref name="instant"/> (its end clipped to the subscription's end), or clears them when the subscription has
    /// ended by then. Call it after creating a subscription (with its start), after invoicing a period (with that
    /// period's nominal end) and after cancelling (with the next period's start, to clip it).
    /// </summary>
    public static void ScheduleFrom(Subscription subscription, DateTime instant)
    {
        var period = Calendar(subscription).PeriodAt(instant);
        subscription.NextPeriodStart = period?.Start;
        subscription.NextPeriodEnd = period?.End;
    }

    /// <summary>The period being billed now (the one containing <paramref name="utcNow"/>), or null when not running then.</summary>
    public static BillingPeriod? CurrentPeriod(Subscription subscription, DateTime utcNow) => Calendar(subscription).PeriodAt(utcNow);

    /// <summary>The phase in force at <paramref name="instant"/>.</summary>
    public static SubscriptionPhase? PhaseAt(Subscription subscription, DateTime instant) =>
        subscription.Phases.Where(p => p.StartsAt <= instant && (p.EndsAt is null || p.EndsAt > instant)).MaxBy(p => p.StartsAt);
}
