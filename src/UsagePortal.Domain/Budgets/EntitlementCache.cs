using System.Collections.Concurrent;

namespace UsagePortal.Domain.Budgets;

/// <summary>What the entitlement answer needs of one customer: its currency, its cap and the cap's state.</summary>
public sealed record EntitlementState(string Currency, long? Cap, DateTime? BlockedUntil, DateTime? BlockedSince);

/// <summary>
/// Each node's copy of its customers' entitlement states, so that the operator's hot path makes no round trip. A state is
/// forgotten when it changes (<see cref="Forget"/>: on this node directly, on every node through a PostgreSQL NOTIFY sent
/// after the change commits), when the listening connection is renewed (<see cref="ForgetAll"/>: notices may have been
/// missed), and a minute after it was read in any case. A read that began before a change it did not see is not kept:
/// each customer has a generation, and a state is stored only if its generation did not move while it was read.
/// </summary>
public sealed class EntitlementCache
{
    public const string PostgresChannel = "usageportal_entitlement";

    /// <summary>How long a state is trusted without a notice.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<int, Entry> entries = new();
    private readonly ConcurrentDictionary<int, long> generations = new();
    private readonly Lock gate = new();
    private long epoch;

    /// <summary>Where the customer's state stands before a read: pass it to <see cref="Store"/>.</summary>
    public (long Generation, long Epoch) Stamp(int customerId) => (generations.GetValueOrDefault(customerId), Interlocked.Read(ref epoch));

    public bool TryGet(int customerId, DateTime now, out EntitlementState state)
    {
        if (entries.TryGetValue(customerId, out var entry) && entry.Epoch == Interlocked.Read(ref epoch) && now - entry.ReadAt < Lifetime)
        {
            state = entry.State;
            return true;
        }

        state = null!;
        return false;
    }

    /// <summary>Keeps a state read after <paramref name="stamp"/> was taken, unless the customer changed meanwhile.</summary>
    public void Store(int customerId, EntitlementState state, (long Generation, long Epoch) stamp, DateTime now)
    {
        lock (gate)
        {
            if (Stamp(customerId) == stamp)
            {
                entries[customerId] = new Entry(state, stamp.Epoch, now);
            }
        }
    }

    public void Forget(int customerId)
    {
        lock (gate)
        {
            generations.AddOrUpdate(customerId, 1, (_, generation) => generation + 1);
            entries.TryRemove(customerId, out _);
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

    private sealed record Entry(EntitlementState State, long Epoch, DateTime ReadAt);
}
