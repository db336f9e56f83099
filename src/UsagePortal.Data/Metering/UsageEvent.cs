namespace UsagePortal.Data.Metering;

/// <summary>
/// A usage event exactly as accepted. Deduplicated forever on (<see cref="Source"/>, <see cref="EventId"/>) by a
/// unique index: a replay is acknowledged but never stored, and so never counted, twice.
/// </summary>
public sealed class UsageEvent
{
    /// <summary>Assigned by the database in insertion order; also the tie-break of the <c>latest</c> aggregation.</summary>
    public long Id { get; set; }

    public int CustomerId { get; set; }

    public required string Source { get; set; }

    /// <summary>The CloudEvents <c>id</c>.</summary>
    public required string EventId { get; set; }

    public required string Type { get; set; }

    public DateTime Time { get; set; }

    public DateTime ReceivedAt { get; set; }

    /// <summary>The event's <c>data</c> as sent.</summary>
    public required string Data { get; set; }
}
