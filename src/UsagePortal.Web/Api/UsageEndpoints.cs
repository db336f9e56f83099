using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Metering;
using UsagePortal.Pricing;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Api;

public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/customers/{externalId}/usage", GetUsageAsync)
            .WithName("GetCustomerUsage")
            .WithSummary("A customer's usage per meter and group over [from, to), with amounts rated through its plan; the current period, with its projection, when both are left out.")
            .WithDescription("Amounts are decimal strings in the plan's currency, each invoice line rounded once. For the current period the amounts and the total are the cost so far (the invoice if the period ended now: flat fee and minimum-commitment true-up included in the total) and `projection` is the projected total at the period's end with its 80 % band. For another range the charges of the plan phases in force over it are rated on the usage inside it (a range that is exactly one billing period totals as its invoice), and `projection` is null. Without a subscription over the range, amounts, total and projection are null.")
            .Produces<UsageAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public sealed record GroupAnswer(IReadOnlyDictionary<string, string?> Key, string Quantity, string? Amount);

    public sealed record MeterAnswer(string Meter, string Name, string Aggregation, string Quantity, string? Amount, IReadOnlyList<GroupAnswer> Groups);

    /// <summary>The projected total at the period's end and its 80 % band.</summary>
    public sealed record ProjectionAnswer(string Total, string Low, string High);

    public sealed record UsageAnswer(string Customer, DateTimeOffset From, DateTimeOffset To, string Currency, IReadOnlyList<MeterAnswer> Meters, string? Total, ProjectionAnswer? Projection);

    private static async Task<IResult> GetUsageAsync(string externalId, string? from, string? to, UsagePortalDbContext db, UsageQuery usage, CostQuery costs, TimeProvider clock, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        if (customer is null)
        {
            return Problems.NotFound($"No customer has externalId '{externalId}'.");
        }

        var errors = new List<FieldError>();
        var start = ParseTime(from, "from", errors);
        var end = ParseTime(to, "to", errors);
        if (errors.Count == 0 && (start is null) != (end is null))
        {
            errors.Add(new FieldError(start is null ? "from" : "to", "Give both from and to, or neither for the current period."));
        }

        if (errors.Count == 0 && start >= end)
        {
            errors.Add(new FieldError("to", "to must be after from."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation("The usage range is not valid.", errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var meters = await LoadedMeters.LoadAsync(db, cancellationToken);
        var subscription = await costs.SubscriptionAtAsync(customer.Id, now, cancellationToken);
        var current = subscription is null ? null : SubscriptionSchedule.CurrentPeriod(subscription, now);
        var (rangeStart, rangeEnd) = start is null
            ? current is not null ? (current.Start, current.End) : BillingPeriods.CalendarMonth(CustomerFormat.For(customer).TimeZone, now)
            : (start.Value, end!.Value);
        var isCurrent = current is not null && rangeStart == current.Start && rangeEnd == current.End;
        UsageReport report;
        if (isCurrent)
        {
            // The current period holds nothing after now, and its cost reads the usage up to now: one read serves both.
            usage.ShareReads();
            report = await usage.GetAsync(customer.Id, rangeStart, now < rangeEnd ? now : rangeEnd, meters, cancellationToken);
        }
        else
        {
            report = await usage.GetAsync(customer.Id, rangeStart, rangeEnd, meters, cancellationToken);
        }

        Amounts? amounts = null;
        ProjectionAnswer? projection = null;
        if (isCurrent)
        {
            var cost = await costs.CurrentTotalsAsync(subscription!, current!, now, meters, cancellationToken);
            amounts = new Amounts(cost.Currency, cost.Lines.Where(l => l.Kind == LineKinds.Charge).Select(l => (l.Meter, l.GroupKey, l.Amount)), cost.SoFar);
            projection = new ProjectionAnswer(
                cost.Currency.FormatMinorUnits(cost.Projection.Total),
                cost.Currency.FormatMinorUnits(cost.Projection.Low),
                cost.Currency.FormatMinorUnits(cost.Projection.High));
        }
        else if (await costs.RangeAsync(customer.Id, rangeStart, rangeEnd, meters, cancellationToken) is { } range)
        {
            amounts = new Amounts(range.Currency, range.Lines.Where(l => l.Kind == LineKinds.Charge).Select(l => (l.MeterCode, l.GroupKey, range.AmountOf(l))), range.Total);
        }

        return TypedResults.Ok(new UsageAnswer(
            customer.ExternalId,
            new DateTimeOffset(rangeStart, TimeSpan.Zero),
            new DateTimeOffset(rangeEnd, TimeSpan.Zero),
            amounts?.Currency.Code ?? customer.Currency,
            report.Meters.Select(m => new MeterAnswer(m.Code, m.Name, m.Aggregation.ToWireName(), Decimals.ToText(m.Quantity), amounts?.OfMeter(m.Code),
                m.Groups.Select(g => new GroupAnswer(g.Key, Decimals.ToText(g.Quantity), amounts?.OfGroup(m.Code, g.GroupKey))).ToList())).ToList(),
            amounts?.Total,
            projection));
    }

    /// <summary>Rounded line amounts summed per meter and per group, formatted in the plan's currency.</summary>
    private sealed class Amounts(Currency currency, IEnumerable<(string? Meter, string GroupKey, long MinorUnits)> lines, long total)
    {
        private readonly List<(string? Meter, string GroupKey, long MinorUnits)> lines = [.. lines];

        public Currency Currency { get; } = currency;

        public string Total { get; } = currency.FormatMinorUnits(total);

        /// <summary>Every line of the meter, a grouped meter's line without groups (its charge at 0 units) included.</summary>
        public string OfMeter(string meter) => Currency.FormatMinorUnits(lines.Where(l => l.Meter == meter).Sum(l => l.MinorUnits));

        public string OfGroup(string meter, string groupKey) =>
            Currency.FormatMinorUnits(lines.Where(l => l.Meter == meter && l.GroupKey == groupKey).Sum(l => l.MinorUnits));
    }

    private static DateTime? ParseTime(string? value, string field, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            && (value.EndsWith('Z') || value.EndsWith("z", StringComparison.Ordinal) || value.Length > 19 && (value[^6] == '+' || value[^6] == '-')))
        {
            return parsed.UtcDateTime;
        }

        errors.Add(new FieldError(field, "Give an RFC 3339 time with an offset, such as 2026-11-01T00:00:00Z."));
        return null;
    }
}
