using UsagePortal.Domain.Cost;

namespace UsagePortal.Domain.Budgets;

/// <summary>When spend reaches an amount at the current pace: the dashboard's "your budget on 23 Dec, your cap on 28 Dec".</summary>
public static class SpendForecast
{
    /// <summary>
    /// The first instant of the series at which spend (the cumulative cost plus <paramref name="offset"/>, the late usage the
    /// invoice also carries) is at least <paramref name="limit"/>: an actual point when it is already reached (the end of the
    /// day it was, or now), else the end of the projected day that reaches it; null when the projection stays below it.
    /// </summary>
    public static DateTime? ReachedAt(IReadOnlyList<CostPoint> actual, IReadOnlyList<ProjectedCostPoint> projected, long offset, long limit)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(projected);
        foreach (var point in actual)
        {
            if (point.Amount + offset >= limit)
            {
                return point.At;
            }
        }

        foreach (var point in projected)
        {
            if (point.Expected + offset >= limit)
            {
                return point.At;
            }
        }

        return null;
    }
}
