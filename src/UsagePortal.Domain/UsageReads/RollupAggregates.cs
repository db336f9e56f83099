using UsagePortal.Data.Metering;
using UsagePortal.Metering;

namespace UsagePortal.Domain.UsageReads;

/// <summary>Between stored rollup rows and the metering library's mergeable aggregates.</summary>
public static class RollupAggregates
{
    /// <summary>The aggregate an hourly or daily rollup row holds.</summary>
    public static Aggregate From(RollupRow row) => new(
        row.Count,
        row.Sum,
        row.Max,
        row.LatestValue is { } value && row.LatestTime is { } time && row.LatestSequence is { } sequence
            ? new LatestValue(value, new DateTimeOffset(time, TimeSpan.Zero), sequence)
            : null,
        null);
}
