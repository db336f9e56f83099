using UsagePortal.Data.Billing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Cost;

/// <summary>
/// One line of the current period's cost: what it is so far (as the invoice would show it if the period ended now) and
/// what it is projected to be at the period's end. Amounts are whole minor units, each line rounded once with the
/// invoice's rule; <see cref="Price"/> and <see cref="ProjectedPrice"/> hold the exact per-range breakdown behind them.
/// </summary>
/// <param name="Kind">A <see cref="LineKinds"/> name.</param>
/// <param name="Description">As the invoice line would read.</param>
/// <param name="Meter">The charge's meter code; null for the flat fee and the commitment true-up.</param>
/// <param name="GroupKey">The canonical group key (see <see cref="UsagePortal.Metering.GroupKey"/>); empty when not grouped.</param>
/// <param name="Quantity">The quantity so far.</param>
/// <param name="Amount">The amount so far (0 for a line that only the projection has).</param>
/// <param name="Price">The exact price so far, with its breakdown; null for fee lines.</param>
/// <param name="ProjectedQuantity">The quantity expected at the period's end.</param>
/// <param name="ProjectedLowQuantity">The band's lower edge of that quantity.</param>
/// <param name="ProjectedHighQuantity">The band's upper edge of that quantity.</param>
/// <param name="ProjectedAmount">The amount of the expected quantity, priced through the same charge.</param>
/// <param name="ProjectedPrice">The exact projected price with its breakdown; null for fee lines.</param>
/// <param name="Basis">What the line's projection was based on; null for fee lines.</param>
public sealed record CostLine(
    string Kind,
    string Description,
    string? Meter,
    string GroupKey,
    decimal Quantity,
    long Amount,
    PriceResult? Price,
    decimal ProjectedQuantity,
    decimal ProjectedLowQuantity,
    decimal ProjectedHighQuantity,
    long ProjectedAmount,
    PriceResult? ProjectedPrice,
    ProjectionBasis? Basis);

/// <summary>A projected total with its 80 % band, in minor units; Low ≤ Total ≤ High.</summary>
public sealed record CostBand(long Total, long Low, long High);

/// <summary>The actual cost at an instant: the cumulative usage up to it, rated through the plan.</summary>
public sealed record CostPoint(DateTime At, long Amount);

/// <summary>The projected cost at an instant ahead, with its band.</summary>
public sealed record ProjectedCostPoint(DateTime At, long Expected, long Low, long High);

/// <summary>
/// A customer's current billing period: cost so far, the projection to the period's end, and both as series for a chart.
/// </summary>
/// <param name="Subscription">The subscription billed.</param>
/// <param name="PlanName">The name of the plan version in force now.</param>
/// <param name="Period">The current period.</param>
/// <param name="Currency">The plan's currency.</param>
/// <param name="Zone">The billing time zone (its local days are the chart's days).</param>
/// <param name="Now">The instant the figures are for.</param>
/// <param name="Lines">The lines, charges first per phase, then the flat fee and the commitment true-up.</param>
/// <param name="SoFar">The cost so far: the sum of the lines rounded one by one, as the invoice totals them.</param>
/// <param name="Projection">The projected total at the period's end with its band.</param>
/// <param name="Actual">
/// The actual cost at the period's start (nothing used yet), at the end of each complete day since, and now (<see cref="SoFar"/>).
/// </param>
/// <param name="Projected">The projected cost now (= <see cref="SoFar"/>) and at the end of each remaining day.</param>
/// <param name="Invoice">
/// The invoice if the period ended now, and at its end as projected: <see cref="SoFar"/> and the projection plus late
/// usage of earlier periods, less credits, plus tax, totalled as finalization totals it. Null where only usage and fees
/// were asked for (<see cref="CostQuery.CurrentTotalsAsync"/>).
/// </param>
/// <param name="DailyUsage">
/// Each charged meter's quantity on each complete day of the period so far, by meter code (the dashboard's daily charts);
/// null where only totals were asked for.
/// </param>
public sealed record CurrentCost(
    Subscription Subscription,
    string PlanName,
    BillingPeriod Period,
    Currency Currency,
    TimeZoneInfo Zone,
    DateTime Now,
    IReadOnlyList<CostLine> Lines,
    long SoFar,
    CostBand Projection,
    IReadOnlyList<CostPoint> Actual,
    IReadOnlyList<ProjectedCostPoint> Projected,
    InvoicePreview? Invoice = null,
    IReadOnlyDictionary<string, IReadOnlyList<DailyQuantity>>? DailyUsage = null);

/// <summary>
/// What the period's invoice would say: its lines' sum (usage, fees and late usage), the credits it would take, the tax
/// and the total, in minor units; now and, as projected, at the period's end.
/// </summary>
/// <param name="UsageAndFees">The period's lines so far (<see cref="CurrentCost.SoFar"/>).</param>
/// <param name="LateUsage">Late-usage lines for earlier periods the invoice would carry (0 when none).</param>
/// <param name="CapAdjustment">The hard cap's adjustment (0 or negative): what the lines come to past the cap.</param>
/// <param name="Credits">Credits the invoice would take from the customer's grants.</param>
/// <param name="TaxRate">The customer's tax rate, a fraction (0.2 = 20 %).</param>
/// <param name="Tax">Tax on what remains after credits, rounded once.</param>
/// <param name="Total">What the customer would owe if the period ended now.</param>
/// <param name="Projected">The projected total owed at the period's end (credits still usable then, and tax), with its band.</param>
public sealed record InvoicePreview(long UsageAndFees, long LateUsage, long CapAdjustment, long Credits, decimal TaxRate, long Tax, long Total, CostBand Projected);

/// <summary>
/// What a range other than the current period costs: its usage rated through the plan phases in force over it.
/// </summary>
/// <param name="Currency">The plan's currency.</param>
/// <param name="Lines">The exact rated lines (charges; and fees when the range is exactly one billing period).</param>
/// <param name="Total">The lines rounded one by one and summed.</param>
public sealed record RangeCost(Currency Currency, IReadOnlyList<RatedLine> Lines, long Total)
{
    /// <summary>The amount of one line, rounded with the invoice's rule.</summary>
    public long AmountOf(RatedLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Currency.RoundToMinorUnits(line.ExactAmount);
    }
}

/// <summary>
/// What a customer's budget, thresholds and cap are measured against in the current period, in minor units: usage and
/// fees plus late usage, before the cap, credits and tax; so far and projected for the period's end.
/// </summary>
public sealed record PeriodSpend(BillingPeriod Period, Currency Currency, long Actual, long Projected);
