using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>The dashboard stays live: usage sent to the API shows on an open dashboard within a second, without a reload (SQLite).</summary>
public sealed class LiveUsage(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task AnEventMovesTheOpenDashboardWithinOneSecondWithoutAReload() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await LiveDashboard.WaitUntilLiveAsync(page);

        await LiveDashboard.ExpectMovesWithinASecondAsync(page, Fixture.BaseAddress, Output);

        await KeepScreenshotAsync(page, "dashboard-live");
    });
}

/// <summary>
/// Two app processes on one PostgreSQL database, as behind a load balancer: an event posted to node A moves a dashboard
/// open on node B within a second, which only the notifier's LISTEN/NOTIFY can carry.
/// </summary>
public sealed class LiveUsageAcrossNodes(TwoNodesOnPostgresFixture fixture, ITestOutputHelper output)
    : BrowserTest(fixture, output), IClassFixture<TwoNodesOnPostgresFixture>
{
    [Fact]
    public Task AnEventPostedToOneNodeMovesTheDashboardOpenOnAnotherWithinOneSecond() => InBrowserAsync(async page =>
    {
        var nodes = (TwoNodesOnPostgresFixture)Fixture;
        Assert.Equal(nodes.NodeB.Address, Fixture.BaseAddress);
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await LiveDashboard.WaitUntilLiveAsync(page);
        // Node B starts listening in the background after start-up; a first crossing, however slow, shows it listens.
        var before = await LiveDashboard.ApiCallsAsync(page);
        await LiveDashboard.PostApiRequestsAsync(nodes.NodeA.Address, 1);
        await Expect(LiveDashboard.ApiCalls(page)).ToHaveTextAsync(LiveDashboard.Written(before + 1), new() { Timeout = 30_000 });

        await LiveDashboard.ExpectMovesWithinASecondAsync(page, nodes.NodeA.Address, Output);
    });

    [Fact]
    public Task TheDashboardGoesFromItsPrerenderedFiguresToLiveOnesWithoutFlashingSkeletons() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await LiveDashboard.WaitUntilLiveAsync(page);
        // On PostgreSQL the circuit's first read waits for the database (on SQLite it completes before the first render):
        // the moment skeletons would show between the prerendered figures and the live ones.
        // From the first byte of the next load, every skeleton (MudSkeleton: a placeholder while figures load) that
        // appears in the page is counted.
        await page.AddInitScriptAsync("""
            window.__skeletons = 0;
            new MutationObserver(records => {
              for (const record of records)
                for (const node of record.addedNodes)
                  if (node instanceof Element && (node.matches('.mud-skeleton') || node.querySelector('.mud-skeleton')))
                    window.__skeletons++;
            }).observe(document, { childList: true, subtree: true });
            """);

        await page.ReloadAsync();
        await LiveDashboard.WaitUntilLiveAsync(page);

        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.__skeletons"));
        await Expect(page.GetByTestId("cost-so-far")).ToBeVisibleAsync();
    });
}

/// <summary>
/// A member removed while their dashboard is open loses its figures at the circuit's next revalidation (here every five
/// seconds; a minute by default), with no request from the browser.
/// </summary>
public sealed class RemovedMember(ShortRevalidationFixture fixture, ITestOutputHelper output)
    : BrowserTest(fixture, output), IClassFixture<ShortRevalidationFixture>
{
    [Fact]
    public Task ARemovedMembersOpenDashboardStopsShowingDataWithinAMinute() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.MemberEmail, DemoSettings.CustomerPassword, "/app");
        await LiveDashboard.WaitUntilLiveAsync(page);
        var figures = page.Locator("[data-meter], [data-testid='cost-so-far'], [data-cost-line]");
        Assert.True(await figures.CountAsync() > 0, "The member's dashboard shows no figures to lose.");

        // What removing a member does (the team page's "Remove"): the user is deleted.
        await Fixture.Portal.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var member = await users.FindByEmailAsync(DemoSettings.MemberEmail) ?? throw new InvalidOperationException("No demo member.");
            Assert.True((await users.DeleteAsync(member)).Succeeded);
        });

        await Expect(figures).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await Expect(page.GetByText(DemoSettings.CustomerName)).ToHaveCountAsync(0);
    });
}

/// <summary>The demo portal with circuits revalidated every five seconds.</summary>
public sealed class ShortRevalidationFixture : BrowserFixture
{
    protected override KestrelPortalFactory CreatePortal() => new([new("Security:SessionRevalidationInterval", "00:00:05")]);
}

/// <summary>
/// Two portal processes (<see cref="AppProcess"/>) on one new PostgreSQL database, demo seeded; the browser opens node B.
/// </summary>
public class TwoNodesOnPostgresFixture : BrowserFixture
{
    private TestDatabase? database;
    private string? mail;

    public AppProcess NodeA { get; private set; } = default!;

    public AppProcess NodeB { get; private set; } = default!;

    /// <summary>The pickup folder both nodes write e-mail to.</summary>
    public string MailFolder => mail ?? throw new InvalidOperationException("The nodes have not started.");

    /// <summary>Settings a derived fixture adds (or overrides) for both nodes.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    protected override async Task<Uri> StartAppAsync()
    {
        database = TestDatabase.CreatePostgres();
        mail = Directory.CreateTempSubdirectory("usageportal-mail-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = nameof(DatabaseProvider.Postgres),
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Email:PickupDirectory"] = mail,
            ["Outbox:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        // One after the other: the first migrates and seeds the shared database, the second finds it ready.
        NodeA = await AppProcess.StartAsync(RepositoryRoot.Path, settings);
        NodeB = await AppProcess.StartAsync(RepositoryRoot.Path, settings);
        return NodeB.Address;
    }

    protected override async ValueTask StopAppAsync()
    {
        foreach (var node in new[] { NodeB, NodeA })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }

        if (mail is not null)
        {
            Directory.Delete(mail, recursive: true);
        }
    }
}

/// <summary>What the live dashboard tests do on the page.</summary>
internal static class LiveDashboard
{
    /// <summary>The demo customer's locale (DemoSeeder): how the dashboard writes its numbers.</summary>
    private static readonly CultureInfo AcmeCulture = CultureInfo.GetCultureInfo("en-US");

    public static ILocator ApiCalls(IPage page) => page.Locator("[data-meter='api_calls']");

    public static string Written(decimal calls) => calls.ToString("#,0", AcmeCulture);

    /// <summary>Waits until the open dashboard runs over its circuit, has read its figures and listens for changes.</summary>
    public static async Task WaitUntilLiveAsync(IPage page)
    {
        await Expect(page.Locator("[data-testid='dashboard'][data-interactive='true']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
    }

    /// <summary>The api_calls total shown now; on the first hour of a month the panel may still be empty, without the meter.</summary>
    public static async Task<decimal> ApiCallsAsync(IPage page) =>
        await ApiCalls(page).CountAsync() == 0 ? 0 : decimal.Parse(await ApiCalls(page).InnerTextAsync(), NumberStyles.Number, AcmeCulture);

    /// <summary>
    /// Posts three events to <paramref name="api"/> and expects the open page to show them within a second of the
    /// acknowledgement, in the same document (no reload).
    /// </summary>
    public static async Task ExpectMovesWithinASecondAsync(IPage page, Uri api, ITestOutputHelper output)
    {
        var before = await ApiCallsAsync(page);
        var expected = Written(before + 3);
        // A navigation would start a new window object and lose the marker.
        await page.EvaluateAsync("() => { window.__marker = 'same page'; }");
        await page.EvaluateAsync(
            """
            expected => {
                window.__shownAt = null;
                new MutationObserver(() => {
                    const total = document.querySelector("[data-meter='api_calls']");
                    if (window.__shownAt === null && total && total.textContent.trim() === expected) {
                        window.__shownAt = Date.now();
                    }
                }).observe(document.querySelector("[data-testid='dashboard']"), { childList: true, subtree: true, characterData: true });
            }
            """,
            expected);

        await PostApiRequestsAsync(api, 3);
        var acknowledgedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await Expect(ApiCalls(page)).ToHaveTextAsync(expected, new() { Timeout = 1000 });
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
        output.WriteLine($"api_calls went from {before} to {expected}, {await page.EvaluateAsync<long>("() => window.__shownAt") - acknowledgedAt} ms after the POST was acknowledged.");
    }

    /// <summary>Sends <paramref name="count"/> <c>api.request</c> events for the demo customer to <paramref name="api"/>, as the operator's backend does.</summary>
    public static async Task PostApiRequestsAsync(Uri api, int count)
    {
        using var client = new HttpClient { BaseAddress = api };
        var events = Enumerable.Range(0, count).Select(_ => new
        {
            id = Guid.NewGuid().ToString(),
            source = "tests/browser-live-usage",
            type = "api.request",
            subject = DemoSettings.CustomerExternalId,
            time = DateTimeOffset.UtcNow,
            data = new { region = "eu-west", user_id = "u1" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
