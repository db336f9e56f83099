using System.Collections.Concurrent;

namespace UsagePortal.Domain.Live;

/// <summary>
/// One node's copy of values read from the database for a hot path that should make no round trip. A value is forgotten
/// when it changes (<see cref="Forget"/>: on the changing node directly, on every node through a PostgreSQL NOTIFY sent
/// after the change commits), when the listening connection is renewed (<see cref="ForgetAll"/>: notices may have been
/// missed), and <see cref="Lifetime"/> after it was read in any case. A read that began before a change it did not see is
/// not kept: each key has a generation, and a value is stored only if neither its generation nor the cache's epoch moved
/// while it was read (take <see cref="Stamp"/> before the read, pass it to <see cref="Store"/>).
/// </summary>
public class NodeCache<TKey, TValue>
    where TKey : notnull
{
    /// <summary>How long a value is trusted without a notice.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<TKey, Entry> entries = new();
    private readonly ConcurrentDictionary<TKey, long> generations = new();
    private readonly Lock gate = new();
    private long epoch;

    /// <summary>Where the key stands before a read: pass it to <see cref="Store"/>.</summary>
    public (long Generation, long Epoch) Stamp(TKey key) => (generations.GetValueOrDefault(key), Interlocked.Read(ref epoch));

    public bool TryGet(TKey key, DateTime now, out TValue value)
    {
        if (entries.TryGetValue(key, out var entry) && entry.Epoch == Interlocked.Read(ref epoch) && now - entry.ReadAt < Lifetime)
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Keeps a value read after <paramref name="stamp"/> was taken, unless the key changed meanwhile.</summary>
    public void Store(TKey key, TValue value, (long Generation, long Epoch) stamp, DateTime now)
    {
        lock (gate)
        {
            if (Stamp(key) == stamp)
            {
                entries[key] = new Entry(value, stamp.Epoch, now);
            }
        }
    }

    /// <summary>
    /// Replaces a value still held (read at the same time as before) with <paramref name="update"/> of it, as when this node
    /// itself wrote the change; nothing when the key was forgotten meanwhile.
    /// </summary>
    public void Update(TKey key, Func<TValue, TValue> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (gate)
        {
            if (entries.TryGetValue(key, out var entry))
            {
                entries[key] = entry with { Value = update(entry.Value) };
            }
        }
    }

    public void Forget(TKey key)
    {
        lock (gate)
        {
            generations.AddOrUpdate(key, 1, (_, generation) => generation + 1);
            entries.TryRemove(key, out _);
        }
    }

    public void ForgetAll()
    {
        lock (gate)
        {
            Interlocked.Increment(ref epoch);
            entries.Clear();
        }
    }

    private sealed record Entry(TValue Value, long Epoch, DateTime ReadAt);
}
