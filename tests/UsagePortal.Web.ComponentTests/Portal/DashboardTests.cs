using System.Collections.Concurrent;
using Bunit.Extensions.WaitForHelpers;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Live;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Pricing;
using UsagePortal.Web.Components.Pages.Portal;
using UsagePortal.Web.Formatting;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>
/// The customer dashboard (/app) on the demo data: the figures the domain computes for the user's own organisation, in
/// its format; an empty state; and live updates through the circuit when <see cref="UsageNotifier"/> reports a change.
/// </summary>
[Collection(ComponentHostCollection.Name)]
public sealed class DashboardTests : ComponentTest
{
    private readonly ReadCountingClock clock;

    // Each read of the dashboard asks the clock for "now" once: the clock counts the reads.
    public DashboardTests(ComponentHost host) : this(host, new ReadCountingClock())
    {
    }

    private DashboardTests(ComponentHost host, ReadCountingClock clock) : base(host, services => services.AddSingleton<TimeProvider>(clock)) => this.clock = clock;

    private UsageNotifier Notifier => Host.Services.GetRequiredService<UsageNotifier>();

    [Fact]
    public async Task TheOwnerSeesTheirOrganisationsUsageAndCostAsTheDomainComputesThem()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);

        var page = Render<Dashboard>();
        WaitUntilLive(page);

        var expected = await ExpectedAsync(acme);
        Assert.Equal("Acme Analytics", page.Find("h1").TextContent.Trim());
        Assert.Single(page.FindAll("h1"));
        Assert.Equal(expected.Usage, ShownUsage(page));
        Assert.Equal(expected.Format.Money(expected.Cost!.Invoice!.Total, expected.Cost.Currency), Text(page, "cost-so-far"));
        Assert.Equal(expected.Format.Money(expected.Cost.Invoice!.Projected.Total, expected.Cost.Currency), Text(page, "cost-projected"));
        Assert.Contains($"between {expected.Format.Money(expected.Cost.Invoice!.Projected.Low, expected.Cost.Currency)} and {expected.Format.Money(expected.Cost.Invoice!.Projected.High, expected.Cost.Currency)}",
            Text(page, "cost-band"), StringComparison.Ordinal);
        Assert.Contains($"Growth plan · {expected.Format.Period(expected.Cost.Period.Start, expected.Cost.Period.End)} · USD", Text(page, "cost-plan"), StringComparison.Ordinal);
        Assert.Equal(expected.Cost.Lines.Count, page.FindAll("[data-cost-line]").Count);
        Assert.StartsWith("Usage as of ", Text(page, "usage-updated"), StringComparison.Ordinal);
        Assert.Contains("on your next invoice as late usage", Text(page, "late-events"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherOrganisationsUserSeesOnlyTheirOwnFiguresInTheirOwnFormat()
    {
        var globex = await Host.CustomerIdAsync("globex");
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(globex, "owner@globex.example");

        var page = Render<Dashboard>();
        WaitUntilLive(page);

        var expected = await ExpectedAsync(globex);
        var text = page.Find("[data-testid=dashboard]").TextContent;
        Assert.Equal("Globex GmbH", page.Find("h1").TextContent.Trim());
        Assert.Equal(expected.Usage, ShownUsage(page));
        Assert.EndsWith("EUR", Text(page, "cost-so-far"), StringComparison.Ordinal);
        Assert.Equal(expected.Format.Money(expected.Cost!.Invoice!.Total, "EUR"), Text(page, "cost-so-far"));
        Assert.DoesNotContain("Acme", text, StringComparison.Ordinal);
        Assert.DoesNotContain("USD", text, StringComparison.Ordinal);
        // Only the user's own organisation is listened to.
        Assert.Equal(1, Notifier.OpenStreams(globex));
        Assert.Equal(0, Notifier.OpenStreams(acme));
    }

    [Fact]
    public async Task NewUsageMovesTheOpenDashboardWithoutAnythingElseHappening()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);
        var before = ShownUsage(page);
        var format = (await ExpectedAsync(acme)).Format;
        var calls = before.TryGetValue("api_calls", out var shown) ? decimal.Parse(shown, System.Globalization.NumberStyles.Number, format.Culture) : 0;

        await Host.IngestApiCallsAsync("acme", 3);

        page.WaitForAssertion(() => Assert.Equal(format.Number(calls + 3), page.Find("[data-meter=api_calls]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        var expected = await ExpectedAsync(acme);
        page.WaitForAssertion(() => Assert.Equal(expected.Format.Money(expected.Cost!.Invoice!.Total, "USD"), Text(page, "cost-so-far")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task APublishedChangeForTheOrganisationReReadsAndReRendersTheFigures()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);
        var reads = clock.Reads;
        var readAt = page.Find("[data-testid=usage-updated] time").GetAttribute("datetime");
        clock.Advance(TimeSpan.FromSeconds(2));

        Notifier.Publish([acme]);

        page.WaitForAssertion(() => Assert.Equal(reads + 1, clock.Reads), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.NotEqual(readAt, page.Find("[data-testid=usage-updated] time").GetAttribute("datetime")), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AnotherOrganisationsChangeDoesNotReRead()
    {
        var acme = await Host.CustomerIdAsync("acme");
        var globex = await Host.CustomerIdAsync("globex");
        SignInAsCustomer(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);
        var reads = clock.Reads;

        // Were Globex's change taken, it would start a read at once and Acme's would wait for a second one.
        Notifier.Publish([globex]);
        Notifier.Publish([acme]);

        page.WaitForAssertion(() => Assert.Equal(reads + 1, clock.Reads), TimeSpan.FromSeconds(10));
        Assert.Throws<WaitForFailedException>(() => page.WaitForState(() => clock.Reads > reads + 1, Dashboard.MinimumGap * 4));
    }

    [Fact]
    public async Task ABurstOfChangesMakesOneOrTwoReadsHalfASecondApart()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);
        var reads = clock.Reads;
        clock.Times.Clear();

        for (var i = 0; i < 10; i++)
        {
            Notifier.Publish([acme]);
        }

        // One change is taken at once and one more may wait (when the first was taken before the burst ended); the
        // others coalesce into those.
        page.WaitForAssertion(() => Assert.True(clock.Reads > reads), TimeSpan.FromSeconds(10));
        Assert.Throws<WaitForFailedException>(() => page.WaitForState(() => clock.Reads > reads + 2, Dashboard.MinimumGap * 3));
        var times = clock.Times.ToArray();
        Assert.InRange(times.Length, 1, 2);
        Assert.True(times.Length == 1 || times[1] - times[0] >= Dashboard.MinimumGap * 0.9, $"Reads at {string.Join(", ", times)}");
    }

    [Fact]
    public async Task AChangeDuringAReadIsNotLost()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);
        var reads = clock.Reads;
        // The next read publishes a change from inside the read, as a commit landing while the dashboard reads would.
        clock.OnRead = () => Notifier.Publish([acme]);

        Notifier.Publish([acme]);

        page.WaitForAssertion(() => Assert.True(clock.Reads >= reads + 2), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task LeavingThePageEndsItsSubscription()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);
        var before = Notifier.OpenStreams(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);
        var open = Notifier.OpenStreams(acme);

        await DisposeComponentsAsync();

        Assert.Equal(before + 1, open);
        Assert.Equal(before, Notifier.OpenStreams(acme));
    }

    [Fact]
    public async Task PrerenderedItShowsTheFiguresButNeitherSubscribesNorSaysItIsLive()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme);
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var before = Notifier.OpenStreams(acme);

        var page = Render<Dashboard>();

        page.WaitForElement("[data-meter=api_calls]");
        Assert.Equal("false", page.Find("[data-testid=dashboard]").GetAttribute("data-interactive"));
        Assert.Equal(before, Notifier.OpenStreams(acme));
    }

    [Fact]
    public async Task WhenTheSignInEndsTheFiguresGoAndTheSubscriptionEnds()
    {
        var acme = await Host.CustomerIdAsync("acme");
        SignInAsCustomer(acme, "member@acme.example", Roles.CustomerMember, "Member");
        var before = Notifier.OpenStreams(acme);
        var page = Render<Dashboard>();
        WaitUntilLive(page);

        // What the circuit's revalidation does when the member has been removed.
        Authorization.SetNotAuthorized();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-meter], [data-testid=cost-so-far], [data-cost-line]")));
        Assert.DoesNotContain("Acme", page.Markup, StringComparison.Ordinal);
        Assert.Equal(before, Notifier.OpenStreams(acme));
    }

    [Fact]
    public async Task AnOrganisationWithoutAPlanOrUsageSeesWhatWillAppearAndHow()
    {
        var id = await Host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Customer { ExternalId = "empty-" + Guid.NewGuid().ToString("N")[..8], Name = "Empty Org", Email = "empty@example.test", CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer.Id;
        });
        SignInAsCustomer(id, "owner@empty.example");

        var page = Render<Dashboard>();
        WaitUntilLive(page);

        Assert.Equal("Empty Org", page.Find("h1").TextContent.Trim());
        Assert.Contains("No usage has been recorded for this period yet", Text(page, "usage-empty"), StringComparison.Ordinal);
        Assert.Contains("No price plan applies to your organisation right now", Text(page, "cost-no-plan"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-meter], [data-testid=cost-chart]"));
    }

    [Fact]
    public async Task AMeterWithManyGroupsShowsItsTenLargestAndCountsTheRest()
    {
        var (id, externalId) = await Host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Customer { ExternalId = "groups-" + Guid.NewGuid().ToString("N")[..8], Name = "Many Groups", Email = "groups@example.test", CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return (customer.Id, customer.ExternalId);
        });
        // Twelve regions: r01 with one call, r02 with two, ... r12 with twelve.
        for (var region = 1; region <= 12; region++)
        {
            await Host.IngestAsync(externalId, "api.request", new { region = $"r{region:00}", user_id = "u-groups" }, DateTimeOffset.UtcNow.AddMinutes(-1), region);
        }

        SignInAsCustomer(id, "owner@groups.example");
        var page = Render<Dashboard>();
        WaitUntilLive(page);

        var shown = page.FindAll("[data-testid=groups-api_calls] tbody tr td:first-child").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(DashboardFigures.GroupsShown, shown.Count);
        Assert.Equal(Enumerable.Range(3, 10).Select(r => $"r{r:00}").Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        Assert.Equal("78", page.Find("[data-meter=api_calls]").TextContent.Trim());
        Assert.Equal("The 10 largest shown; 2 more groups count in the total above.", Text(page, "more-groups-api_calls"));
    }

    private static void WaitUntilLive(IRenderedComponent<Dashboard> page) =>
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=dashboard]").GetAttribute("data-interactive")), TimeSpan.FromSeconds(30));

    private static string Text(IRenderedComponent<Dashboard> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();

    /// <summary>Each meter's total as shown, by meter code.</summary>
    private static Dictionary<string, string> ShownUsage(IRenderedComponent<Dashboard> page) =>
        page.FindAll("[data-meter]").ToDictionary(e => e.GetAttribute("data-meter")!, e => e.TextContent.Trim());

    /// <summary>What the domain computes for the organisation now: usage totals as its format writes them, and its cost.</summary>
    private Task<(PortalFormat Format, Dictionary<string, string> Usage, CurrentCost? Cost)> ExpectedAsync(int customerId) =>
        Host.WithServicesAsync(async services =>
        {
            var customer = await services.GetRequiredService<UsagePortalDbContext>().Customers.AsNoTracking().SingleAsync(c => c.Id == customerId);
            var format = PortalFormat.For(customer);
            var now = DateTime.UtcNow;
            var (from, to) = LocalCalendar.CalendarMonth(now, format.TimeZone);
            var usage = await services.GetRequiredService<UsageQuery>().GetAsync(customerId, from, to);
            var cost = await services.GetRequiredService<CostQuery>().CurrentAsync(customerId, now);
            return (format, usage.Meters.ToDictionary(m => m.Code, m => format.Number(m.Quantity)), cost);
        });

    /// <summary>The tests' clock (<see cref="TestClock"/>, standing at the moment the test class starts), counting how often "now" is asked for (once per dashboard read) and when.</summary>
    private sealed class ReadCountingClock() : TestClock(DateTimeOffset.UtcNow)
    {
        private int reads;

        public int Reads => Volatile.Read(ref reads);

        /// <summary>The real instants of the reads (the clock's "now" stands still).</summary>
        public ConcurrentQueue<DateTimeOffset> Times { get; } = new();

        private Action? onRead;

        /// <summary>Runs inside the next read, once.</summary>
        public Action? OnRead { set => Volatile.Write(ref onRead, value); }

        public override DateTimeOffset GetUtcNow()
        {
            Times.Enqueue(System.GetUtcNow());
            Interlocked.Increment(ref reads);
            Interlocked.Exchange(ref onRead, null)?.Invoke();
            return base.GetUtcNow();
        }
    }
}
