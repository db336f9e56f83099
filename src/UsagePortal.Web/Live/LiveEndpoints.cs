using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Live;
using UsagePortal.Web.Components.Shared;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Live;

/// <summary>
/// The portal's live usage: a Server-Sent Events stream that tells a signed-in customer user when their organisation's
/// usage changed, and the usage and cost panels as fragments for htmx to fetch when it did. The organisation always
/// comes from the user's claims. A stream holds a subscription to <see cref="UsageNotifier"/> and nothing else (no
/// DbContext, no connection), so any number of streams and web nodes work without sticky sessions.
/// </summary>
public static class LiveEndpoints
{
    /// <summary>The event that makes an open dashboard fetch its panel again.</summary>
    public const string UsageEvent = "usage";

    /// <summary>Sent every <see cref="KeepAliveInterval"/>, so that proxies and load balancers do not close a quiet stream.</summary>
    public const string KeepAliveEvent = "keepalive";

    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The least time between two usage events of one stream. While ingestion is busy every commit is a change; this
    /// keeps each open dashboard to four refreshes a second instead of one per commit, well within "a second".
    /// </summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);

    public static IEndpointConventionBuilder MapLiveEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var portal = endpoints.MapGroup("/app")
            .RequireAuthorization(policy => policy.RequireRole(Roles.CustomerOwner, Roles.CustomerMember))
            .ExcludeFromDescription();
        portal.MapGet("/fragments/usage", UsageFragment);
        portal.MapGet("/fragments/cost", CostFragment);
        portal.MapGet("/live/usage", UsageStream);
        return portal;
    }

    private static RazorComponentResult<UsagePanel> UsageFragment(ClaimsPrincipal user, HttpResponse response)
    {
        // One organisation's figures: no cache, shared or private, may keep them.
        response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<UsagePanel>(new Dictionary<string, object?> { [nameof(UsagePanel.CustomerId)] = user.RequireCustomerId() });
    }

    /// <summary>The cost panel alone; the dashboard fetches it after each live usage refresh (usage changes move cost).</summary>
    private static RazorComponentResult<CostPanel> CostFragment(ClaimsPrincipal user, HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<CostPanel>(new Dictionary<string, object?> { [nameof(CostPanel.CustomerId)] = user.RequireCustomerId() });
    }

    private static ServerSentEventsResult<string> UsageStream(
        ClaimsPrincipal user, UsageNotifier notifier, TimeProvider clock, IHostApplicationLifetime lifetime, CancellationToken requestAborted) =>
        // Ending the stream when the app stops lets shutdown finish at once; the browser reconnects (to another node).
        TypedResults.ServerSentEvents(UsageEventsAsync(user.RequireCustomerId(), notifier, clock, requestAborted, lifetime.ApplicationStopping));

    /// <summary>
    /// A <see cref="UsageEvent"/> at once, then one per change of <paramref name="customerId"/>'s usage (changes within
    /// <see cref="MinimumGap"/> of the last event make one), and a <see cref="KeepAliveEvent"/> every
    /// <see cref="KeepAliveInterval"/>. Ends without an exception when either token is cancelled.
    /// </summary>
    /// <remarks>
    /// The first event closes two gaps in which a change would otherwise go unseen until the next one: between rendering
    /// the page and opening the stream, and while the browser reconnects after a dropped connection.
    /// </remarks>
    internal static async IAsyncEnumerable<SseItem<string>> UsageEventsAsync(
        int customerId,
        UsageNotifier notifier,
        TimeProvider clock,
        CancellationToken requestAborted,
        CancellationToken stopping = default,
        [EnumeratorCancellation] CancellationToken enumeration = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping, enumeration);
        var changes = notifier.SubscribeAsync(customerId, stop.Token).GetAsyncEnumerator(stop.Token);
        // The first MoveNextAsync runs the subscription up to its first wait: from here on no change is missed.
        var change = changes.MoveNextAsync().AsTask();
        var keepAlive = new PeriodicTimer(KeepAliveInterval, clock);
        var tick = keepAlive.WaitForNextTickAsync(stop.Token).AsTask();
        try
        {
            yield return Usage(clock);
            await PaceAsync(clock, stop.Token);
            while (!stop.IsCancellationRequested)
            {
                var next = await Task.WhenAny(change, tick);
                if (next.Status != TaskStatus.RanToCompletion)
                {
                    // Cancelled (the client left or the app stops); anything else is a fault worth its exception.
                    if (stop.IsCancellationRequested)
                    {
                        yield break;
                    }

                    await next;
                }

                if (next == change)
                {
                    if (!change.Result)
                    {
                        yield break;
                    }

                    change = changes.MoveNextAsync().AsTask();
                    yield return Usage(clock);
                    await PaceAsync(clock, stop.Token);
                }
                else
                {
                    if (!tick.Result)
                    {
                        yield break;
                    }

                    tick = keepAlive.WaitForNextTickAsync(stop.Token).AsTask();
                    yield return new SseItem<string>("", KeepAliveEvent);
                }
            }
        }
        finally
        {
            // Also reached when the writer stops reading early; the subscription must end before it is disposed.
            await stop.CancelAsync();
            await ((Task)change).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await changes.DisposeAsync();
            keepAlive.Dispose();
        }
    }

    /// <summary>Waits out <see cref="MinimumGap"/>; changes meanwhile wait in the subscription, coalesced into one.</summary>
    private static async Task PaceAsync(TimeProvider clock, CancellationToken cancellationToken) =>
        await Task.Delay(MinimumGap, clock, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    /// <summary>The data is the time the change was seen, for people reading the stream; the dashboard only needs the event.</summary>
    private static SseItem<string> Usage(TimeProvider clock) =>
        new(clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), UsageEvent);
}
