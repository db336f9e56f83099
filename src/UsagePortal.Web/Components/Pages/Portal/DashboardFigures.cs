using UsagePortal.Domain.Budgets;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Pricing;
using UsagePortal.Web.Formatting;

namespace UsagePortal.Web.Components.Pages.Portal;

/// <summary>
/// What one open dashboard holds between two reads: the figures it shows and nothing else. Every open dashboard keeps
/// one of these for as long as its tab stays open, so it holds no entities (the subscription, its plan versions and their
/// charge JSON stay behind in the read's scope), no DbContext and no cache; a re-read replaces it whole.
/// </summary>
/// <param name="Organisation">The organisation's name (the page's heading).</param>
/// <param name="Format">The organisation's locale and time zone.</param>
/// <param name="UsageFrom">The start of the usage period (the calendar month in the organisation's zone).</param>
/// <param name="UsageTo">Its end (exclusive).</param>
/// <param name="ReadAt">When the figures were read: the "usage as of" time.</param>
/// <param name="Usage">Per meter, the quantities of the usage period, with at most <see cref="GroupsShown"/> groups each.</param>
/// <param name="MoreGroups">Per meter code, how many of its groups are left out of <paramref name="Usage"/>.</param>
/// <param name="Cost">The current billing period's cost and projection; null when no subscription runs now (no plan).</param>
/// <param name="Before">
/// Per meter code, its quantity at the same point of the previous usage period (as long into it as now is into this one,
/// never past its end): what each meter's card compares with.
/// </param>
public sealed record DashboardFigures(
    string Organisation,
    PortalFormat Format,
    DateTime UsageFrom,
    DateTime UsageTo,
    DateTime ReadAt,
    UsageReport Usage,
    IReadOnlyDictionary<string, int> MoreGroups,
    CostFigures? Cost,
    IReadOnlyDictionary<string, decimal>? Before = null)
{
    /// <summary>
    /// The groups a meter shows on the dashboard, the largest first. A meter grouped by something like a user id can have
    /// thousands; every open dashboard would hold (and render) them all. The rest are counted, and the invoice lists them.
    /// </summary>
    public const int GroupsShown = 10;

    /// <summary>
    /// Reads the dashboard of <paramref name="customerId"/> as of now through <paramref name="operations"/>: one scope per
    /// query, usage and cost side by side (each on its own DbContext and thread). Null when the organisation does not exist.
    /// </summary>
    public static async Task<DashboardFigures?> ReadAsync(Operations operations, int customerId, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(clock);
        var customer = await operations.RunAsync<CustomerService, Data.Customers.Customer?>(customers => customers.FindAsync(customerId, cancellationToken));
        if (customer is null)
        {
            return null;
        }

        var format = PortalFormat.For(customer);
        var now = clock.GetUtcNow().UtcDateTime;
        var (from, to) = LocalCalendar.CalendarMonth(now, format.TimeZone);
        // Each read on a thread of its own: SQLite's provider answers its async calls synchronously, so without Task.Run the
        // four would run one after the other on this thread (a first render of their sum rather than of the longest).
        var usage = Task.Run(() => operations.RunAsync<UsageQuery, UsageReport>(query => query.GetAsync(customerId, from, to, cancellationToken)), cancellationToken);
        var cost = Task.Run(() => operations.RunAsync<CostQuery, CurrentCost?>(query => query.CurrentAsync(customerId, now, cancellationToken)), cancellationToken);
        var (lastFrom, lastTo) = SamePointOfTheLastPeriod(from, now, format.TimeZone);
        var before = Task.Run(() => operations.RunAsync<UsageQuery, UsageReport>(query => query.GetAsync(customerId, lastFrom, lastTo, cancellationToken)), cancellationToken);
        var limits = Task.Run(() => operations.RunAsync<BudgetService, (long? Budget, long? Cap)>(budgets => budgets.LimitsAsync(customerId, cancellationToken)), cancellationToken);
        await Task.WhenAll(usage, cost, before, limits);
        var (shown, more) = Compact(await usage);
        var (budget, cap) = await limits;
        return new DashboardFigures(customer.Name, format, from, to, now, shown, more,
            await cost is { } current ? CostFigures.From(current) with { Budget = budget, Cap = cap } : null,
            (await before).Meters.ToDictionary(m => m.Code, m => m.Quantity, StringComparer.Ordinal));
    }

    /// <summary>
    /// The previous calendar month of <paramref name="zone"/> from its start to as far into it as <paramref name="now"/> is
    /// into the month starting at <paramref name="from"/>, cut at its end (30 March compares with all of February).
    /// </summary>
    public static (DateTime From, DateTime To) SamePointOfTheLastPeriod(DateTime from, DateTime now, TimeZoneInfo zone)
    {
        var (lastFrom, lastEnd) = LocalCalendar.CalendarMonth(from.AddTicks(-1), zone);
        var to = lastFrom + (now - from);
        return (lastFrom, to < lastEnd ? to : lastEnd);
    }

    /// <summary>The report with each meter's <see cref="GroupsShown"/> largest groups (in the report's order), and how many each leaves out.</summary>
    public static (UsageReport Report, IReadOnlyDictionary<string, int> MoreGroups) Compact(UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var more = new Dictionary<string, int>(StringComparer.Ordinal);
        var meters = report.Meters.Select(meter =>
        {
            if (meter.Groups.Count <= GroupsShown)
            {
                return meter;
            }

            more[meter.Code] = meter.Groups.Count - GroupsShown;
            var largest = meter.Groups.OrderByDescending(g => g.Quantity).Take(GroupsShown).ToHashSet();
            return meter with { Groups = [.. meter.Groups.Where(largest.Contains)] };
        }).ToList();
        return (report with { Meters = meters }, more);
    }

    /// <summary>Nothing counted for any meter; a meter with groups has seen events even if their quantities are zero.</summary>
    public bool HasNoUsage => Usage.Meters.All(m => m.Quantity == 0 && m.Groups.Count == 0);
}

/// <summary>
/// The figures of <see cref="CurrentCost"/> that the cost panel shows, without the subscription entity behind them.
/// </summary>
/// <param name="PlanName">The plan version in force now.</param>
/// <param name="PeriodStart">The billing period's start.</param>
/// <param name="PeriodEnd">Its end (exclusive).</param>
/// <param name="Currency">The plan's currency.</param>
/// <param name="Zone">The billing zone: the chart's days are its local days.</param>
/// <param name="Now">The instant the figures are for.</param>
/// <param name="Lines">
/// The lines with their exact per-range breakdowns (what a line opens to): every line that is not a metered charge, and
/// of the charges the <see cref="LinesShown"/> largest (projected), in the cost query's order.
/// </param>
/// <param name="MoreLines">How many charge lines <paramref name="Lines"/> leaves out, and what they cost together.</param>
/// <param name="SoFar">The cost so far.</param>
/// <param name="Projection">The projected total with its 80 % band.</param>
/// <param name="Actual">The actual cumulative cost at the period's start, at the end of each complete day, and now.</param>
/// <param name="Projected">The projected cumulative cost now and at the end of each remaining day, with its band.</param>
/// <param name="Invoice">The invoice if the period ended now (credits, tax, late usage), and as projected at its end.</param>
/// <param name="Budget">The organisation's budget for the period (minor units), or null when none is set.</param>
/// <param name="Cap">Its hard cap (minor units), or null when none is set.</param>
public sealed record CostFigures(
    string PlanName,
    DateTime PeriodStart,
    DateTime PeriodEnd,
    Currency Currency,
    TimeZoneInfo Zone,
    DateTime Now,
    IReadOnlyList<CostLine> Lines,
    LinesLeftOut MoreLines,
    long SoFar,
    CostBand Projection,
    IReadOnlyList<CostPoint> Actual,
    IReadOnlyList<ProjectedCostPoint> Projected,
    InvoicePreview? Invoice = null,
    long? Budget = null,
    long? Cap = null)
{
    /// <summary>Each charged meter's quantity per complete day of the period so far, by meter code (the usage cards' charts).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DailyQuantity>>? DailyUsage { get; init; }

    /// <summary>
    /// The charge lines the dashboard lists. A charge grouped by something like a user id makes one line per group, and
    /// every open dashboard would hold each line's breakdowns (and render a panel for it); the rest are summed up in one
    /// sentence, and the invoice lists every line.
    /// </summary>
    public const int LinesShown = 25;

    public static CostFigures From(CurrentCost cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var lines = cost.Lines;
        var charges = Enumerable.Range(0, lines.Count).Where(i => lines[i].Meter is not null).ToList();
        var kept = new bool[lines.Count];
        foreach (var i in charges.OrderByDescending(c => lines[c].ProjectedAmount).ThenByDescending(c => lines[c].Amount).Take(LinesShown))
        {
            kept[i] = true;
        }

        var shown = lines.Where((line, i) => line.Meter is null || kept[i]).ToList();
        var left = lines.Where((line, i) => line.Meter is not null && !kept[i]).ToList();
        return new CostFigures(cost.PlanName, cost.Period.Start, cost.Period.End, cost.Currency, cost.Zone, cost.Now, shown,
            new LinesLeftOut(left.Count, left.Sum(l => l.Amount), left.Sum(l => l.ProjectedAmount)), cost.SoFar, cost.Projection, cost.Actual, cost.Projected, cost.Invoice)
        {
            DailyUsage = cost.DailyUsage,
        };
    }

    /// <summary>A local day of the billing zone for an instant; an instant at local midnight closes the day before it.</summary>
    public DateOnly DayEndingAt(DateTime utc) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone).AddTicks(-1));
}

/// <summary>The charge lines the dashboard leaves out: how many, and their amounts so far and projected, in minor units.</summary>
public sealed record LinesLeftOut(int Count, long Amount, long ProjectedAmount);

/// <summary>Where a budget or a cap stands against the period's spend at the current pace.</summary>
public static class LimitForecasts
{
    /// <summary>When spend reaches <paramref name="limit"/> (see <see cref="SpendForecast.ReachedAt"/>), late usage included.</summary>
    public static DateTime? ReachedAt(this CostFigures cost, long limit)
    {
        ArgumentNullException.ThrowIfNull(cost);
        return SpendForecast.ReachedAt(cost.Actual, cost.Projected, cost.Invoice?.LateUsage ?? 0, limit);
    }
}
