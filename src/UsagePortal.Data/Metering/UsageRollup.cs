namespace UsagePortal.Data.Metering;

/// <summary>
/// The aggregate of one customer's events for one meter, group and hour. Reading a period's usage sums these
/// rows, so it costs the same for a thousand events or ten million. Quantities are exact decimals.
/// </summary>
public sealed class UsageRollup
{
    public int CustomerId { get; set; }

    public int MeterId { get; set; }

    /// <summary>Canonical JSON of the group-by values; empty when the meter has no group-by.</summary>
    public string GroupKey { get; set; } = "";

    /// <summary>The UTC hour the events fall in.</summary>
    public DateTime BucketStart { get; set; }

    public long Count { get; set; }

    public decimal Sum { get; set; }

    public decimal? Max { get; set; }

    public decimal? LatestValue { get; set; }

    public DateTime? LatestTime { get; set; }

    public long? LatestSequence { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A distinct value seen for a unique_count meter in one hour; counting these over a range keeps unique_count exact.</summary>
public sealed class UsageDistinctValue
{
    public int CustomerId { get; set; }

    public int MeterId { get; set; }

    public string GroupKey { get; set; } = "";

    public DateTime BucketStart { get; set; }

    public required string Value { get; set; }
}
