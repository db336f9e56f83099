using UsagePortal.Metering;

namespace UsagePortal.Domain.Ingestion;

/// <summary>One rollup row: a customer's meter, an hour (or a day), a group.</summary>
public readonly record struct RollupKey(int CustomerId, int MeterId, DateTime BucketStart, string GroupKey);

/// <summary>The two tiers of rollups and distinct values: per UTC hour and per UTC day. Both hold every event.</summary>
public enum RollupTier
{
    Hour,
    Day,
}

public static class RollupTiers
{
    public static string RollupTable(RollupTier tier) => tier == RollupTier.Hour ? "UsageRollups" : "UsageDailyRollups";

    public static string DistinctTable(RollupTier tier) => tier == RollupTier.Hour ? "UsageDistinctValues" : "UsageDailyDistinctValues";

    public static DateTime FloorToDay(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerDay, DateTimeKind.Utc);

    /// <summary>The day tier's rows of an hourly batch: the hours' aggregates merged per UTC day.</summary>
    public static Dictionary<RollupKey, Aggregate> ToDays(Dictionary<RollupKey, Aggregate> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        var days = new Dictionary<RollupKey, Aggregate>();
        foreach (var (key, aggregate) in hours)
        {
            var day = key with { BucketStart = FloorToDay(key.BucketStart) };
            days[day] = days.TryGetValue(day, out var before) ? before.Merge(aggregate) : aggregate;
        }

        return days;
    }

    /// <summary>The day tier's distinct values of an hourly batch.</summary>
    public static HashSet<(RollupKey Key, string Value)> ToDays(HashSet<(RollupKey Key, string Value)> hours)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return [.. hours.Select(h => (h.Key with { BucketStart = FloorToDay(h.Key.BucketStart) }, h.Value))];
    }
}

/// <summary>An event the insert really stored: its database sequence and its position in the batch.</summary>
public readonly record struct InsertedEvent(long Sequence, int Index);
