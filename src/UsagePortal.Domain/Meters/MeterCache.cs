using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain.Ingestion;

namespace UsagePortal.Domain.Meters;

/// <summary>
/// The compiled meters for ingestion, kept between requests. Every use checks a one-row stamp of the meter versions
/// (count, newest id, newest creation time), so a meter created or changed on any node is seen by the very next batch;
/// only the compilation is saved, never correctness.
/// </summary>
public sealed class MeterCache
{
    private readonly SemaphoreSlim reload = new(1, 1);

    // One immutable snapshot in one field: a reader never pairs one load's meters with another load's stamp.
    private volatile Snapshot? current;

    private sealed record Snapshot((int Count, int MaxId, DateTime MaxCreatedAt) Stamp, LoadedMeters Meters);

    public async Task<LoadedMeters> GetAsync(UsagePortalDbContext db, CancellationToken cancellationToken)
    {
        var latest = await db.MeterVersions
            .GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), MaxId = g.Max(v => v.Id), MaxCreatedAt = g.Max(v => v.CreatedAt) })
            .SingleOrDefaultAsync(cancellationToken);
        var stamp = latest is null ? (0, 0, default(DateTime)) : (latest.Count, latest.MaxId, latest.MaxCreatedAt);
        if (current is { } cached && cached.Stamp == stamp)
        {
            return cached.Meters;
        }

        await reload.WaitAsync(cancellationToken);
        try
        {
            var loaded = await LoadedMeters.LoadAsync(db, cancellationToken);
            current = new Snapshot(stamp, loaded);
            return loaded;
        }
        finally
        {
            reload.Release();
        }
    }
}

/// <summary>
/// SQLite has one writer. Letting concurrent requests contend for its lock makes the losers sleep and poll; queueing
/// them here instead hands the lock over at once. Only one process writes to a SQLite file (one node).
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}

/// <summary>
/// Distinct values (for unique_count) this node has already committed, per tier, customer, meter, group and hour (or day): a batch
/// skips inserting those again. Bounded; losing an entry only costs one redundant insert (ON CONFLICT DO NOTHING),
/// and another node's values are simply not known here, so it is never wrong.
/// </summary>
public sealed class DistinctValueCache
{
    private const int Capacity = 200_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(RollupTier Tier, RollupKey Key, string Value), byte> known = new();

    public bool IsKnown(RollupTier tier, RollupKey key, string value) => known.ContainsKey((tier, key, value));

    /// <summary>Call only after the transaction that stored them committed.</summary>
    public void Remember(RollupTier tier, IEnumerable<(RollupKey Key, string Value)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (known.Count > Capacity)
        {
            known.Clear();
        }

        foreach (var (key, value) in values)
        {
            known.TryAdd((tier, key, value), 0);
        }
    }
}

/// <summary>
/// externalId → customer id, learnt as batches arrive. Safe to keep forever: the pair never changes (the external id
/// is unique and is never edited) and customers are never deleted. Unknown subjects are always looked up afresh.
/// </summary>
public sealed class CustomerDirectory : System.Collections.Concurrent.ConcurrentDictionary<string, int>
{
    public CustomerDirectory() : base(StringComparer.Ordinal)
    {
    }
}
