using System.Text.Json;
using UsagePortal.Domain.Cost;
using UsagePortal.Pricing;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Billing;

/// <summary>
/// The cost chart's data for <c>wwwroot/js/cost-chart.js</c>: the actual cumulative cost, the projection with its band, and
/// reference lines. X is the time since the period's start in local days (wall clock), so the chart needs no date adapter;
/// <see cref="ChartData.Days"/> labels each whole day. Amounts are numbers in currency units, for drawing only: every
/// figure a person reads is formatted on the server.
/// </summary>
public static class CostChart
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One point of a series; Low and High only on projected points.</summary>
    public sealed record ChartPoint(double X, decimal Y, decimal? Low, decimal? High, string Label);

    /// <summary>
    /// A horizontal line across the chart at <see cref="Amount"/>. The hook for budgets and caps (a later issue): they add
    /// their lines here (kind <c>budget</c> or <c>cap</c>) and the script draws them; nothing adds one yet.
    /// </summary>
    public sealed record ReferenceLine(string Kind, string Label, decimal Amount);

    public sealed record ChartData(
        string Currency,
        string Locale,
        int Decimals,
        IReadOnlyList<string> Days,
        IReadOnlyList<ChartPoint> Actual,
        IReadOnlyList<ChartPoint> Projected,
        IReadOnlyList<ReferenceLine> Lines);

    public static ChartData For(CurrentCost cost, CustomerFormat format, IReadOnlyList<ReferenceLine>? lines = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentNullException.ThrowIfNull(format);
        var start = Local(cost, cost.Period.Start);
        var end = Local(cost, cost.Period.End);
        var firstDay = DateOnly.FromDateTime(start);
        var dayCount = (int)Math.Ceiling((end - start.Date).TotalDays);
        var days = Enumerable.Range(0, dayCount + 1).Select(i => CostFormat.Day(format, firstDay.AddDays(i))).ToList();
        var now = "Now, " + Local(cost, cost.Now).ToString("t", format.Culture);
        var actual = cost.Actual.Select((p, i) => new ChartPoint(X(cost, start, p.At), Amount(cost, p.Amount), null, null,
            i == 0 ? "Start of the period" : i == cost.Actual.Count - 1 ? now : "End of " + EndOfDay(cost, format, p.At))).ToList();
        var projected = cost.Projected.Select((p, i) => new ChartPoint(X(cost, start, p.At), Amount(cost, p.Expected), Amount(cost, p.Low), Amount(cost, p.High),
            i == 0 ? now : "End of " + EndOfDay(cost, format, p.At))).ToList();
        return new ChartData(cost.Currency.Code, format.Culture.Name, cost.Currency.MinorUnitExponent, days, actual, projected, lines ?? []);
    }

    public static string Serialize(ChartData data) => JsonSerializer.Serialize(data, Json);

    private static double X(CurrentCost cost, DateTime start, DateTime at) => (Local(cost, at) - start.Date).TotalDays;

    private static decimal Amount(CurrentCost cost, long minorUnits) => cost.Currency.FromMinorUnits(minorUnits);

    private static DateTime Local(CurrentCost cost, DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), cost.Zone);

    /// <summary>A point at local midnight closes the day before it.</summary>
    private static string EndOfDay(CurrentCost cost, CustomerFormat format, DateTime at) =>
        CostFormat.Day(format, DateOnly.FromDateTime(Local(cost, at).AddTicks(-1)));
}
