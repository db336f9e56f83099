using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.UsageReads;

/// <summary>
/// A customer's usage over a range with what it costs: the API's usage answer. <see cref="Amounts"/> is null when no
/// subscription covers the range; <see cref="Projection"/> only for the current period.
/// </summary>
public sealed record CustomerUsage(Customer Customer, DateTime From, DateTime To, UsageReport Report, UsageAmounts? Amounts, CostBand? Projection);

/// <summary>Rounded charge-line amounts, summed per meter and per group, and the total as the invoice adds it.</summary>
public sealed class UsageAmounts(Currency currency, IEnumerable<(string? Meter, string GroupKey, long MinorUnits)> lines, long total)
{
    private readonly List<(string? Meter, string GroupKey, long MinorUnits)> lines = [.. lines];

    public Currency Currency { get; } = currency;

    public long Total { get; } = total;

    /// <summary>Every line of the meter, a grouped meter's line without groups (its charge at 0 units) included.</summary>
    public long OfMeter(string meter) => lines.Where(l => l.Meter == meter).Sum(l => l.MinorUnits);

    public long OfGroup(string meter, string groupKey) => lines.Where(l => l.Meter == meter && l.GroupKey == groupKey).Sum(l => l.MinorUnits);
}

/// <summary>Answers <see cref="CustomerUsage"/>: the current period (cost so far and projection) or any range (rated through the phases over it).</summary>
public sealed class CustomerUsageQuery(UsagePortalDbContext db, UsageQuery usage, CostQuery costs, TimeProvider clock)
{
    /// <summary>
    /// The usage of the customer <paramref name="externalId"/> over [<paramref name="from"/>, <paramref name="to"/>), or
    /// over its current period when both are null (the calendar month in its time zone without a subscription).
    /// </summary>
    public async Task<Result<CustomerUsage>> GetAsync(string externalId, DateTime? from, DateTime? to, CancellationToken cancellationToken = default)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        if (customer is null)
        {
            return Result<CustomerUsage>.NotFound($"No customer has externalId '{externalId}'.", "externalId");
        }

        if ((from is null) != (to is null))
        {
            return Result<CustomerUsage>.Invalid(new FieldError(from is null ? "from" : "to", "Give both from and to, or neither for the current period."));
        }

        if (from >= to)
        {
            return Result<CustomerUsage>.Invalid(new FieldError("to", "to must be after from."));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var meters = await LoadedMeters.LoadAsync(db, cancellationToken);
        var subscription = await costs.SubscriptionAtAsync(customer.Id, now, cancellationToken);
        var current = subscription is null ? null : SubscriptionSchedule.CurrentPeriod(subscription, now);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(customer.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var (start, end) = from is null
            ? current is not null ? (current.Start, current.End) : LocalCalendar.CalendarMonth(now, zone)
            : (from.Value, to!.Value);
        var isCurrent = current is not null && start == current.Start && end == current.End;
        if (isCurrent)
        {
            // The current period holds nothing after now, and its cost reads the usage up to now: one read serves both.
            usage.ShareReads();
            var report = await usage.GetAsync(customer.Id, start, now < end ? now : end, meters, cancellationToken);
            var cost = await costs.CurrentTotalsAsync(subscription!, current!, now, meters, cancellationToken);
            var amounts = new UsageAmounts(cost.Currency, cost.Lines.Where(l => l.Kind == LineKinds.Charge).Select(l => (l.Meter, l.GroupKey, l.Amount)), cost.SoFar);
            return Result<CustomerUsage>.Ok(new CustomerUsage(customer, start, end, report, amounts, cost.Projection));
        }

        var rangeReport = await usage.GetAsync(customer.Id, start, end, meters, cancellationToken);
        var range = await costs.RangeAsync(customer.Id, start, end, meters, cancellationToken);
        var rangeAmounts = range is null
            ? null
            : new UsageAmounts(range.Currency, range.Lines.Where(l => l.Kind == LineKinds.Charge).Select(l => ((string?)l.MeterCode, l.GroupKey, range.AmountOf(l))), range.Total);
        return Result<CustomerUsage>.Ok(new CustomerUsage(customer, start, end, rangeReport, rangeAmounts, null));
    }
}
