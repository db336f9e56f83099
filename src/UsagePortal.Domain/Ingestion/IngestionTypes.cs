namespace UsagePortal.Domain.Ingestion;

/// <summary>One hourly rollup row: a customer's meter, an hour, a group.</summary>
public readonly record struct RollupKey(int CustomerId, int MeterId, DateTime BucketStart, string GroupKey);

/// <summary>An event the insert really stored: its database sequence and its position in the batch.</summary>
public readonly record struct InsertedEvent(long Sequence, int Index);
