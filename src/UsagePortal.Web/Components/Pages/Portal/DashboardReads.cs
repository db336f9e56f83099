using UsagePortal.Domain.Live;

namespace UsagePortal.Web.Components.Pages.Portal;

/// <summary>
/// Shares the re-reads of one organisation's open dashboards. When usage changes, every open dashboard of the
/// organisation is told at once; each would read the same figures (a usage and a cost query, tens of milliseconds of
/// database and CPU), so 200 open tabs of one customer would make 200 reads per change and the last would be seconds
/// late. Here the first dashboard to ask starts the read and the others join it: a read can serve a signal when it
/// started at or after the notifier's version of that change (so it sees it), and at most <see cref="Freshness"/> ago
/// (cost so far and the projection also move with time). A page's first read is its own.
/// <para>
/// It also keeps each organisation's latest figures for <see cref="ShownFor"/>: a dashboard whose circuit has just
/// started shows what its prerendered page showed a moment ago while its own first read runs, instead of flashing
/// skeletons between two sets of figures.
/// </para>
/// </summary>
public sealed class DashboardReads(Operations operations, UsageNotifier notifier)
{
    /// <summary>How old a read may be and still serve a change signal.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    /// <summary>How long an organisation's latest figures stay at hand for a dashboard that starts (prerender → circuit).</summary>
    public static readonly TimeSpan ShownFor = TimeSpan.FromSeconds(30);

    private readonly Dictionary<int, SharedRead> reads = [];
    private readonly Dictionary<int, (long ReadAt, DashboardFigures Figures)> latest = [];

    /// <summary>The latest figures read for <paramref name="customerId"/> within <see cref="ShownFor"/>, to show until a fresh read replaces them.</summary>
    public DashboardFigures? Latest(int customerId, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        lock (latest)
        {
            return latest.TryGetValue(customerId, out var kept) && clock.GetElapsedTime(kept.ReadAt) < ShownFor ? kept.Figures : null;
        }
    }

    /// <summary>Keeps <paramref name="figures"/>, just read, as the organisation's latest (and lets them go after <see cref="ShownFor"/>).</summary>
    public void Remember(int customerId, DashboardFigures? figures, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (figures is null)
        {
            return;
        }

        var readAt = clock.GetTimestamp();
        lock (latest)
        {
            latest[customerId] = (readAt, figures);
        }

        _ = Task.Delay(ShownFor, clock).ContinueWith(_ =>
        {
            lock (latest)
            {
                if (latest.TryGetValue(customerId, out var kept) && kept.ReadAt == readAt)
                {
                    latest.Remove(customerId);
                }
            }
        }, TaskScheduler.Default);
    }

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
            var figures = await Task.Run(() => DashboardFigures.ReadAsync(operations, customerId, clock, CancellationToken.None));
            Remember(customerId, figures, clock);
            return figures;
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
