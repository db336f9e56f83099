using UsagePortal.Domain.Live;

namespace UsagePortal.Web.Components.Pages.Portal;

/// <summary>
/// Shares the re-reads of one organisation's open dashboards. When usage changes, every open dashboard of the
/// organisation is told at once; each would read the same figures (a usage and a cost query, tens of milliseconds of
/// database and CPU), so 200 open tabs of one customer would make 200 reads per change and the last would be seconds
/// late. Here the first dashboard to ask starts the read and the others join it: a read can serve a signal when it
/// started at or after the notifier's version of that change (so it sees it), and at most <see cref="Freshness"/> ago
/// (cost so far and the projection also move with time). A page's first read is its own.
/// </summary>
public sealed class DashboardReads(Operations operations, UsageNotifier notifier)
{
    /// <summary>How old a read may be and still serve a change signal.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly Dictionary<int, SharedRead> reads = [];

    /// <summary>Figures of <paramref name="customerId"/> that include every change this node has published for it so far.</summary>
    public Task<DashboardFigures?> AfterChangeAsync(int customerId, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var version = notifier.VersionOf(customerId);
        SharedRead read;
        lock (reads)
        {
            if (!reads.TryGetValue(customerId, out read!) || read.Version < version || clock.GetElapsedTime(read.StartedAt) > Freshness)
            {
                read = new SharedRead(version, clock.GetTimestamp(), ReadAsync(customerId, clock));
                reads[customerId] = read;
            }
        }

        return read.Figures.WaitAsync(cancellationToken);
    }

    private async Task<DashboardFigures?> ReadAsync(int customerId, TimeProvider clock)
    {
        try
        {
            // On the thread pool, not on the first caller's circuit: the read belongs to no one page, and no one page's
            // leaving cancels it.
            return await Task.Run(() => DashboardFigures.ReadAsync(operations, customerId, clock, CancellationToken.None));
        }
        finally
        {
            Forget(customerId, clock);
        }
    }

    /// <summary>Lets the finished read go once it is too old to share, so only organisations with fresh changes hold one.</summary>
    private void Forget(int customerId, TimeProvider clock)
    {
        _ = Task.Delay(Freshness, clock).ContinueWith(_ =>
        {
            lock (reads)
            {
                if (reads.TryGetValue(customerId, out var read) && clock.GetElapsedTime(read.StartedAt) >= Freshness)
                {
                    reads.Remove(customerId);
                }
            }
        }, TaskScheduler.Default);
    }

    private sealed record SharedRead(long Version, long StartedAt, Task<DashboardFigures?> Figures);
}
