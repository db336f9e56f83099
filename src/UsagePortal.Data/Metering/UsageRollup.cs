namespace UsagePortal.Data.Metering;

/// <summary>
/// The aggregate of one customer's events for one meter, group and bucket of time. Reading a range's usage sums these
/// rows, so it costs the same for a thousand events or ten million. Quantities are exact decimals. Two tiers hold the
/// same events: <see cref="UsageRollup"/> per UTC hour and <see cref="UsageDailyRollup"/> per UTC day.
/// </summary>
public abstract class RollupRow
{
    public int CustomerId { get; set; }

    public int MeterId { get; set; }

    /// <summary>Canonical JSON of the group-by values; empty when the meter has no group-by.</summary>
    public string GroupKey { get; set; } = "";

    /// <summary>The start of the UTC hour (or day) the events fall in.</summary>
    public DateTime BucketStart { get; set; }

    public long Count { get; set; }

    public decimal Sum { get; set; }

    public decimal? Max { get; set; }

    public decimal? LatestValue { get; set; }

    public DateTime? LatestTime { get; set; }

    public long? LatestSequence { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>The aggregate of one customer's events for one meter, group and UTC hour.</summary>
public sealed class UsageRollup : RollupRow;

/// <summary>
/// The aggregate of one customer's events for one meter, group and UTC day (<see cref="RollupRow.BucketStart"/> at
/// midnight UTC): a month's usage is 30 of these instead of 720 hourly rows.
/// </summary>
public sealed class UsageDailyRollup : RollupRow;

/// <summary>A distinct value seen for a unique_count meter in one bucket; counting these over a range keeps unique_count exact.</summary>
public abstract class DistinctValueRow
{
    public int CustomerId { get; set; }

    public int MeterId { get; set; }

    public string GroupKey { get; set; } = "";

    public DateTime BucketStart { get; set; }

    public required string Value { get; set; }
}

/// <summary>A distinct value seen in one UTC hour.</summary>
public sealed class UsageDistinctValue : DistinctValueRow;

/// <summary>A distinct value seen in one UTC day.</summary>
public sealed class UsageDailyDistinctValue : DistinctValueRow;

/// <summary>
/// From when the daily tier is complete (one row, written by the migration that created the tier): days before it may
/// hold events stored before the tier existed, so their usage is read from the hourly rollups. A database created with
/// the tier has it at the earliest instant: every day is complete.
/// </summary>
public sealed class RollupTierState
{
    public int Id { get; set; }

    /// <summary>Whole UTC days starting at or after this instant are complete in the daily tier.</summary>
    public DateTime DailyCompleteFrom { get; set; }
}
