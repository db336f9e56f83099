using System.Collections.Concurrent;
using System.Threading.Channels;
using UsagePortal.Domain.Budgets;

namespace UsagePortal.Domain.Live;

/// <summary>
/// Tells this node's open dashboards that a customer's usage changed. Holds no per-user state beyond the open
/// streams themselves. Every change also reaches the budget evaluator (<see cref="BudgetWatch"/>). On PostgreSQL every node learns of every change through LISTEN/NOTIFY
/// (<see cref="PostgresUsageListener"/>); on SQLite there is one node, and ingestion publishes directly.
/// </summary>
public sealed class UsageNotifier(BudgetWatch budgets)
{
    public const string PostgresChannel = "usageportal_usage";

    private readonly ConcurrentDictionary<int, ConcurrentDictionary<Channel<int>, byte>> subscribers = new();

    /// <summary>Per customer with open streams, how many changes this node has been told of: a read started at version v has every change up to v.</summary>
    private readonly ConcurrentDictionary<int, long> versions = new();

    /// <summary>A stream of change signals for one customer. Bursts coalesce into one pending signal.</summary>
    public async IAsyncEnumerable<int> SubscribeAsync(int customerId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        var set = subscribers.GetOrAdd(customerId, _ => new ConcurrentDictionary<Channel<int>, byte>());
        set[channel] = 0;
        try
        {
            await foreach (var signal in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return signal;
            }
        }
        finally
        {
            set.TryRemove(channel, out _);
        }
    }

    public void Publish(IEnumerable<int> customerIds)
    {
        var changed = customerIds as IReadOnlyCollection<int> ?? [.. customerIds];
        // Every change, open dashboards or not: budgets and caps are evaluated as usage arrives.
        budgets.Changed(changed);
        foreach (var customerId in changed)
        {
            if (subscribers.TryGetValue(customerId, out var set))
            {
                // Counted before anyone is told: whoever reads the version after a signal sees this change in it.
                versions.AddOrUpdate(customerId, 1, (_, version) => version + 1);
                foreach (var channel in set.Keys)
                {
                    channel.Writer.TryWrite(customerId);
                }
            }
        }
    }

    /// <summary>
    /// How many changes of the customer this node has published while it had open streams. A read that starts when the
    /// version is v sees every change up to v (each is committed before it is published), so readers signalled for the
    /// same change can share one read (<c>DashboardReads</c>).
    /// </summary>
    public long VersionOf(int customerId) => versions.TryGetValue(customerId, out var version) ? version : 0;

    /// <summary>How many streams are open on this node (for tests and diagnostics).</summary>
    public int OpenStreams(int customerId) => subscribers.TryGetValue(customerId, out var set) ? set.Count : 0;
}
