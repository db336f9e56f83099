using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Live;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Web.Live;
using UsagePortal.Web.Tenancy;
using Xunit.Abstractions;

namespace UsagePortal.Web.Tests.Live;

/// <summary>The dashboard's live usage on one node: the panel fragment, the event stream, and who may open them.</summary>
public sealed partial class LiveUsageTests(PortalFactory portal, ITestOutputHelper output) : IClassFixture<PortalFactory>
{
    public static TheoryData<string> LiveUrls => ["/app/fragments/usage", "/app/live/usage"];

    [Fact]
    public async Task AnonymousUsersAskingForTheFragmentAreSentToSignIn()
    {
        using var client = portal.CreatePortalClient();

        using var response = await client.GetAsync("/app/fragments/usage");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath());
    }

    [Fact]
    public async Task AdminsAskingForTheFragmentAreRefusedBecauseTheyHaveNoOrganisation()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        using var response = await client.GetAsync("/app/fragments/usage");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath());
    }

    /// <summary>
    /// ASP.NET Core 10 answers a Server-Sent Events endpoint with 401/403 rather than a redirect to an HTML page that an
    /// EventSource could not use anyway; the browser sees a failed stream and retries later.
    /// </summary>
    [Fact]
    public async Task TheStreamRefusesAnonymousUsersAndAdminsWithoutARedirect()
    {
        using var anonymous = portal.CreatePortalClient();
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        using var anonymousResponse = await anonymous.Http.GetAsync("/app/live/usage", HttpCompletionOption.ResponseHeadersRead);
        using var adminResponse = await admin.Http.GetAsync("/app/live/usage", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, adminResponse.StatusCode);
    }

    [Theory]
    [MemberData(nameof(LiveUrls))]
    public async Task OwnersAndMembersOpenThem(string path)
    {
        foreach (var email in new[] { DemoSettings.CustomerEmail, DemoSettings.MemberEmail })
        {
            using var client = portal.CreatePortalClient();
            await client.SignInAsync(email, DemoSettings.CustomerPassword);

            using var response = await client.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task TheFragmentShowsEachUserTheFiguresOfTheirOwnOrganisationOnly()
    {
        // One more Acme event, so that the two organisations' figures differ even on the first hour of a month.
        using var api = portal.CreateClient();
        await LiveApi.PostApiRequestsAsync(api, DemoSettings.CustomerExternalId, 1);

        var globex = await ShownTotalsAsync(DemoSettings.OtherOwnerEmail);
        var acme = await ShownTotalsAsync(DemoSettings.CustomerEmail);

        Assert.Equal(await ExpectedTotalsAsync("globex"), globex);
        Assert.Equal(await ExpectedTotalsAsync(DemoSettings.CustomerExternalId), acme);
        Assert.NotEqual(acme["api_calls"], globex["api_calls"]);
    }

    [Fact]
    public async Task TheFragmentIsThePanelAloneAndIsNeverCached()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        using var response = await client.GetAsync("/app/fragments/usage");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control was '{response.Headers.CacheControl}'.");
        Assert.StartsWith("<section", html.TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Usage this period", PortalClient.Text(html));
    }

    [Fact]
    public async Task TheDashboardPageShowsThePanelInsideTheElementThatKeepsItLive()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        var page = await client.GetPageAsync("/app");

        var live = LiveElement().Match(page);
        Assert.True(live.Success, "The dashboard has no element connected to the live stream.");
        Assert.Contains("hx-ext=\"sse\"", live.Value, StringComparison.Ordinal);
        Assert.Contains("hx-get=\"app/fragments/usage\"", live.Value, StringComparison.Ordinal);
        Assert.Contains("hx-trigger=\"sse:usage\"", live.Value, StringComparison.Ordinal);
        Assert.Contains("data-meter=\"api_calls\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventForTheOrganisationReachesItsOpenStreamWithinASecond()
    {
        using var api = portal.CreateClient();
        // The first ingestion of a fresh host compiles a lot of code; that is not what this test times.
        await LiveApi.PostApiRequestsAsync(api, DemoSettings.CustomerExternalId, 1);
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        await using var stream = await EventStream.OpenAsync(client.Http, "/app/live/usage");
        Assert.Equal(LiveEndpoints.UsageEvent, await stream.NextAsync(TimeSpan.FromSeconds(10)));

        // The bar counts from the moment the API accepted the event (its 200), not from when the request left.
        await LiveApi.PostApiRequestsAsync(api, DemoSettings.CustomerExternalId, 1);
        var clock = Stopwatch.StartNew();
        var received = await stream.NextAsync(LiveApi.Remaining(clock, TimeSpan.FromSeconds(1)));

        output.WriteLine($"Acknowledged POST to event on the stream: {clock.ElapsedMilliseconds} ms");
        Assert.Equal(LiveEndpoints.UsageEvent, received);
    }

    [Fact]
    public async Task AnotherOrganisationsEventsNeverReachTheStream()
    {
        using var api = portal.CreateClient();
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        await using var stream = await EventStream.OpenAsync(client.Http, "/app/live/usage");
        Assert.Equal(LiveEndpoints.UsageEvent, await stream.NextAsync(TimeSpan.FromSeconds(10)));

        await LiveApi.PostApiRequestsAsync(api, "globex", 1);
        var afterGlobex = await stream.NextAsync(TimeSpan.FromSeconds(1.2));
        // The stream is alive: Acme's own event still arrives.
        await LiveApi.PostApiRequestsAsync(api, DemoSettings.CustomerExternalId, 1);
        var afterAcme = await stream.NextAsync(TimeSpan.FromSeconds(5));

        Assert.Null(afterGlobex);
        Assert.Equal(LiveEndpoints.UsageEvent, afterAcme);
    }

    [Fact]
    public async Task ClosingTheStreamEndsItsSubscriptionOnTheServer()
    {
        var notifier = portal.Services.GetRequiredService<UsageNotifier>();
        var acme = await portal.WithServicesAsync(services =>
            services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == DemoSettings.CustomerExternalId).Select(c => c.Id).SingleAsync());
        // Streams of earlier tests may still be winding down.
        await LiveApi.EventuallyAsync(() => notifier.OpenStreams(acme) == 0, TimeSpan.FromSeconds(10));
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        var stream = await EventStream.OpenAsync(client.Http, "/app/live/usage");
        await stream.NextAsync(TimeSpan.FromSeconds(10));
        var openWhileReading = notifier.OpenStreams(acme);

        await stream.DisposeAsync();

        Assert.Equal(1, openWhileReading);
        await LiveApi.EventuallyAsync(() => notifier.OpenStreams(acme) == 0, TimeSpan.FromSeconds(5));
    }

    /// <summary>The totals a user sees in the fragment, by meter code.</summary>
    private async Task<Dictionary<string, string>> ShownTotalsAsync(string email)
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(email, DemoSettings.CustomerPassword);
        var html = await client.GetPageAsync("/app/fragments/usage");
        return MeterTotal().Matches(html).ToDictionary(m => m.Groups["code"].Value, m => WebUtility.HtmlDecode(m.Groups["value"].Value).Trim());
    }

    /// <summary>What the usage query says for the current period, formatted as the organisation reads numbers.</summary>
    private Task<Dictionary<string, string>> ExpectedTotalsAsync(string externalId) =>
        portal.WithServicesAsync(async services =>
        {
            var customer = await services.GetRequiredService<UsagePortalDbContext>().Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalId);
            var format = CustomerFormat.For(customer);
            var (start, end) = BillingPeriods.CalendarMonth(format.TimeZone, DateTime.UtcNow);
            var report = await services.GetRequiredService<UsageQuery>().GetAsync(customer.Id, start, end);
            return report.Meters.ToDictionary(m => m.Code, m => format.Number(m.Quantity));
        });

    [GeneratedRegex(@"data-meter=""(?<code>[^""]+)""[^>]*>(?<value>[^<]*)<")]
    internal static partial Regex MeterTotal();

    [GeneratedRegex(@"<div\b[^>]*\bsse-connect=""app/live/usage""[^>]*>")]
    private static partial Regex LiveElement();
}

/// <summary>
/// Two web nodes on one PostgreSQL database, as in production behind a load balancer: an event taken by node A must
/// reach a dashboard whose stream is open on node B, which only LISTEN/NOTIFY can carry.
/// </summary>
public sealed class LiveUsageAcrossNodesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TestDatabase database = TestDatabase.CreatePostgres();
    private Node nodeA = default!;
    private Node nodeB = default!;

    public Task InitializeAsync()
    {
        // One after the other: the first migrates and seeds the shared database, the second finds it ready.
        nodeA = new Node(database.ConnectionString);
        _ = nodeA.Services;
        nodeB = new Node(database.ConnectionString);
        _ = nodeB.Services;
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AnEventTakenByOneNodeReachesAStreamOpenOnAnotherWithinASecond()
    {
        using var apiOnA = nodeA.CreateClient();
        using var browserOnB = nodeB.CreatePortalClient();
        await browserOnB.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        await using var stream = await EventStream.OpenAsync(browserOnB.Http, "/app/live/usage");
        Assert.Equal(LiveEndpoints.UsageEvent, await stream.NextAsync(TimeSpan.FromSeconds(10)));
        // Node B starts listening in the background after start-up; the first crossing shows it is listening.
        await LiveApi.PostApiRequestsAsync(apiOnA, DemoSettings.CustomerExternalId, 1);
        Assert.Equal(LiveEndpoints.UsageEvent, await stream.NextAsync(TimeSpan.FromSeconds(15)));

        // The bar counts from the moment node A accepted the event (its 200), not from when the request left.
        await LiveApi.PostApiRequestsAsync(apiOnA, DemoSettings.CustomerExternalId, 1);
        var clock = Stopwatch.StartNew();
        var received = await stream.NextAsync(LiveApi.Remaining(clock, TimeSpan.FromSeconds(1)));
        output.WriteLine($"Acknowledged POST on node A to event on node B's stream: {clock.ElapsedMilliseconds} ms");
        await LiveApi.PostApiRequestsAsync(apiOnA, "globex", 1);
        var afterGlobex = await stream.NextAsync(TimeSpan.FromSeconds(1.2));

        Assert.Equal(LiveEndpoints.UsageEvent, received);
        Assert.Null(afterGlobex);
    }

    public async Task DisposeAsync()
    {
        await nodeB.DisposeAsync();
        await nodeA.DisposeAsync();
        await database.DisposeAsync();
    }

    /// <summary>A portal on the shared database. (The base class also creates a database of its own, left unused and dropped with it.)</summary>
    private sealed class Node(string connectionString) : PortalFactory(DatabaseProvider.Postgres)
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("ConnectionStrings:Postgres", connectionString)];
    }
}

/// <summary>The stream itself, without HTTP: what it sends, when, and how it ends.</summary>
public sealed class UsageEventStreamTests
{
    [Fact]
    public async Task StartsWithAUsageEventThenSendsOneForEachChangeOfItsOwnCustomer()
    {
        var notifier = new UsageNotifier();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = LiveEndpoints.UsageEventsAsync(7, notifier, TimeProvider.System, cancel.Token).GetAsyncEnumerator();

        Assert.True(await events.MoveNextAsync());
        var first = events.Current.EventType;
        var next = events.MoveNextAsync().AsTask();
        notifier.Publish([8]);
        var afterOther = await Task.WhenAny(next, Task.Delay(300)) == next;
        notifier.Publish([7]);

        Assert.Equal(LiveEndpoints.UsageEvent, first);
        Assert.False(afterOther);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(LiveEndpoints.UsageEvent, events.Current.EventType);
        cancel.Cancel();
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task ABurstOfChangesMakesAtMostTwoEventsAQuarterOfASecondApart()
    {
        var notifier = new UsageNotifier();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = LiveEndpoints.UsageEventsAsync(7, notifier, TimeProvider.System, cancel.Token).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            notifier.Publish([7]);
        }

        // One signal is taken at once and one more waits; the rest coalesce into those two.
        var arrivals = new List<TimeSpan>();
        while (true)
        {
            var next = events.MoveNextAsync().AsTask();
            if (await Task.WhenAny(next, Task.Delay(LiveEndpoints.MinimumGap * 4)) != next)
            {
                await cancel.CancelAsync();
                // On a loaded machine the second event may be on its way as the wait gives up: it still counts.
                if (await next)
                {
                    arrivals.Add(clock.Elapsed);
                }

                break;
            }

            Assert.True(await next);
            Assert.Equal(LiveEndpoints.UsageEvent, events.Current.EventType);
            arrivals.Add(clock.Elapsed);
        }

        await events.DisposeAsync();
        Assert.InRange(arrivals.Count, 1, 2);
        Assert.All(arrivals.Zip(arrivals.Prepend(TimeSpan.Zero)), pair => Assert.True(pair.First - pair.Second >= LiveEndpoints.MinimumGap * 0.8, $"Events at {string.Join(", ", arrivals)}"));
    }

    [Fact]
    public async Task SendsAKeepAliveWhenNothingHappens()
    {
        var clock = new FastClock(100);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = LiveEndpoints.UsageEventsAsync(7, new UsageNotifier(), clock, cancel.Token).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());

        var started = Stopwatch.StartNew();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(LiveEndpoints.KeepAliveEvent, events.Current.EventType);
        Assert.InRange(started.Elapsed, LiveEndpoints.KeepAliveInterval / 100 * 0.5, TimeSpan.FromSeconds(5));
        cancel.Cancel();
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task EndsWithoutAnErrorAndUnsubscribesWhenTheClientLeaves()
    {
        var notifier = new UsageNotifier();
        using var requestAborted = new CancellationTokenSource();
        var events = LiveEndpoints.UsageEventsAsync(7, notifier, TimeProvider.System, requestAborted.Token).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var waiting = events.MoveNextAsync().AsTask();
        var openWhileWaiting = notifier.OpenStreams(7);

        await requestAborted.CancelAsync();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        await events.DisposeAsync();
        Assert.Equal(1, openWhileWaiting);
        Assert.Equal(0, notifier.OpenStreams(7));
    }

    [Fact]
    public async Task EndsWhenTheAppStops()
    {
        var notifier = new UsageNotifier();
        using var stopping = new CancellationTokenSource();
        await using var events = LiveEndpoints.UsageEventsAsync(7, notifier, TimeProvider.System, CancellationToken.None, stopping.Token).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var waiting = events.MoveNextAsync().AsTask();

        await stopping.CancelAsync();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, notifier.OpenStreams(7));
    }

    /// <summary>Real time, with every timer running <c>factor</c> times faster, so that a 15-second keep-alive takes 150 ms.</summary>
    private sealed class FastClock(double factor) : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            base.CreateTimer(callback, state, Scale(dueTime), Scale(period));

        private TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan || span == TimeSpan.Zero ? span : span / factor;
    }
}

/// <summary>An open Server-Sent Events response, read one event at a time with a deadline.</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly IAsyncEnumerator<SseItem<string>> events;
    private Task<bool>? pending;

    private EventStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> events)
    {
        this.response = response;
        this.events = events;
    }

    public static async Task<EventStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync();
        return new EventStream(response, SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator());
    }

    /// <summary>The type of the next event other than a keep-alive, or null if none came within <paramref name="within"/>. A late event is kept for the next call.</summary>
    public async Task<string?> NextAsync(TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            pending ??= events.MoveNextAsync().AsTask();
            try
            {
                await pending.WaitAsync(LiveApi.Remaining(deadline, within));
            }
            catch (TimeoutException)
            {
                return null;
            }

            var more = pending.Result;
            pending = null;
            Assert.True(more, "The server ended the stream.");
            if (events.Current.EventType != LiveEndpoints.KeepAliveEvent)
            {
                return events.Current.EventType;
            }
        }
    }

    /// <summary>Closes the connection, as a browser leaving the page does.</summary>
    public ValueTask DisposeAsync()
    {
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

internal static class LiveApi
{
    /// <summary>Posts <paramref name="count"/> <c>api.request</c> events for <paramref name="subject"/> (an externalId), timed now, with the demo operator key.</summary>
    public static async Task PostApiRequestsAsync(HttpClient client, string subject, int count)
    {
        var events = Enumerable.Range(0, count).Select(_ => new
        {
            id = Guid.NewGuid().ToString(),
            source = "tests/live-usage",
            type = "api.request",
            subject,
            time = DateTimeOffset.UtcNow,
            data = new { region = "eu-west", user_id = "u1" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>What is left of <paramref name="budget"/> since <paramref name="clock"/> started; zero once spent.</summary>
    public static TimeSpan Remaining(Stopwatch clock, TimeSpan budget) => budget > clock.Elapsed ? budget - clock.Elapsed : TimeSpan.Zero;

    public static async Task EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < within, $"Not true within {within}.");
            await Task.Delay(20);
        }
    }
}
