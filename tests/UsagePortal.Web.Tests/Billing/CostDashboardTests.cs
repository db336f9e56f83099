using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.CostFixtures;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// The dashboard's cost panel, for two organisations on different plans, currencies and locales, with the clock at noon
/// UTC on Wednesday 11 March 2026: each owner sees their own figures, formatted their way, down to the breakdown.
/// </summary>
[Collection(FrozenClockCollection.Name)]
public sealed partial class CostDashboardTests(FrozenClockPortal portal) : IAsyncLifetime
{
    private const string Password = "Cost-panel-2026!";

    private HttpClient api = null!;

    public async Task InitializeAsync() => api = await portal.ApiClientAsync();

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheOwnerSeesCostSoFarAndTheProjectionWithItsBand()
    {
        var acme = await TieredOrganisationAsync();
        using var client = await SignedInAsync(acme.Owner);

        var page = await client.GetPageAsync("/app");
        var text = PortalClient.Text(Panel(page));

        Assert.Equal("50.25\u00a0USD", TestId(page, "cost-so-far"));
        Assert.Equal("60.50\u00a0USD", TestId(page, "cost-projected"));
        Assert.Contains("between 59.89\u00a0USD and 61.11\u00a0USD", text, StringComparison.Ordinal);
        Assert.Contains("Scale plan · 3/1/2026 – 3/31/2026 · USD", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachLineOpensToItsBreakdownSoFarAndProjected()
    {
        var acme = await TieredOrganisationAsync();
        using var client = await SignedInAsync(acme.Owner);

        var page = await client.GetPageAsync("/app");

        var line = LineItem().Matches(Panel(page)).Single(m => m.Groups["meter"].Value == acme.Calls).Value;
        Assert.Contains("<details", line, StringComparison.Ordinal);
        var text = PortalClient.Text(line);
        Assert.Contains("10.25\u00a0USD so far · 20.50\u00a0USD projected", text, StringComparison.Ordinal);
        Assert.Contains("So far: 105 units", text, StringComparison.Ordinal);
        Assert.Contains("Projected: 310 units", text, StringComparison.Ordinal);
        // Both tiers, so far and projected: 0–100 at 0.10 and 100–∞ at 0.05 (5 units so far, 210 projected).
        Assert.Equal(4, Regex.Matches(line, "data-breakdown-kind=\"Range\"").Count);
        Assert.Contains("Range 100 ∞ 210 0.05 10.5", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheChartCarriesTheActualAndProjectedSeriesAndNoReferenceLinesYet()
    {
        var acme = await TieredOrganisationAsync();
        using var client = await SignedInAsync(acme.Owner);

        var page = await client.GetPageAsync("/app");

        var json = ChartAttribute().Match(page);
        Assert.True(json.Success, "The cost panel has no chart.");
        var chart = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(json.Groups["json"].Value)).RootElement;
        Assert.Equal("USD", chart.GetProperty("currency").GetString());
        Assert.Equal(50.25m, chart.GetProperty("actual").EnumerateArray().Last().GetProperty("y").GetDecimal());
        Assert.Equal(10.5, chart.GetProperty("actual").EnumerateArray().Last().GetProperty("x").GetDouble());
        var end = chart.GetProperty("projected").EnumerateArray().Last();
        Assert.Equal((31d, 60.5m, 59.89m, 61.11m), (end.GetProperty("x").GetDouble(), end.GetProperty("y").GetDecimal(), end.GetProperty("low").GetDecimal(), end.GetProperty("high").GetDecimal()));
        Assert.Equal(0, chart.GetProperty("lines").GetArrayLength());
        Assert.Contains("src=\"js/cost-chart.js\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherOrganisationsOwnerSeesOnlyTheirOwnFiguresInTheirOwnFormat()
    {
        var acme = await TieredOrganisationAsync();
        var globex = await OrganisationAsync("globex");
        var meter = Unique.MeterCode("calls");
        var type = Unique.EventType("dash.globex");
        await api.CreateMeterAsync(Meter(meter, type, "count"));
        await portal.SubscribeAsync(globex.ExternalId, $$"""[{ "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "1.5" } }]""",
            Utc(2026, 2, 28, 23), currency: "EUR", zone: "Europe/Berlin");
        await SetLocaleAsync(globex.ExternalId, "de-DE");
        await api.IngestAllAsync([.. Enumerable.Range(2, 7).SelectMany(d => Events(type, globex.ExternalId, Utc(2026, 3, d, 9), 1))]);
        var expected = await portal.CurrentCostAsync(await portal.CustomerIdAsync(globex.ExternalId), portal.Clock.Now.UtcDateTime);

        using var acmeClient = await SignedInAsync(acme.Owner);
        using var globexClient = await SignedInAsync(globex.Owner);
        var acmePage = await acmeClient.GetPageAsync("/app");
        var globexPage = await globexClient.GetPageAsync("/app");

        Assert.Equal("10,50\u00a0EUR", TestId(globexPage, "cost-so-far"));
        Assert.Equal(CostFormatted(expected!.Projection.Total, "de-DE", "EUR"), TestId(globexPage, "cost-projected"));
        Assert.Contains("01.03.2026 – 31.03.2026", PortalClient.Text(Panel(globexPage)), StringComparison.Ordinal);
        Assert.DoesNotContain(acme.Calls, Panel(globexPage), StringComparison.Ordinal);
        Assert.DoesNotContain("USD", Panel(globexPage), StringComparison.Ordinal);
        Assert.Equal("50.25\u00a0USD", TestId(acmePage, "cost-so-far"));
        Assert.DoesNotContain(meter, Panel(acmePage), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAPlanThePanelSaysSoInsteadOfShowingAmounts()
    {
        var initech = await OrganisationAsync("initech");
        using var client = await SignedInAsync(initech.Owner);

        var page = await client.GetPageAsync("/app");

        Assert.Contains("No price plan applies to your organisation right now", TestId(page, "cost-no-plan"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-cost-chart", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheFragmentIsThePanelAloneForTheSignedInOrganisationAndIsNeverCached()
    {
        var acme = await TieredOrganisationAsync();
        using var client = await SignedInAsync(acme.Owner);

        using var response = await client.GetAsync("/app/fragments/cost");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control was '{response.Headers.CacheControl}'.");
        Assert.StartsWith("<section", html.TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("50.25\u00a0USD", TestId(html, "cost-so-far"));
    }

    [Fact]
    public async Task TheDashboardRefreshesTheCostPanelAfterEachLiveUsageRefresh()
    {
        var acme = await TieredOrganisationAsync();
        using var client = await SignedInAsync(acme.Owner);

        var page = await client.GetPageAsync("/app");

        var live = Regex.Match(page, @"<div\b[^>]*data-testid=""live-cost""[^>]*>");
        Assert.True(live.Success, "The dashboard has no element that refreshes the cost panel.");
        Assert.Contains("hx-get=\"app/fragments/cost\"", live.Value, StringComparison.Ordinal);
        Assert.Contains("hx-trigger=\"htmx:afterSwap from:#live-usage\"", live.Value, StringComparison.Ordinal);
        Assert.Matches(@"<div\b[^>]*\bid=""live-usage""[^>]*\bsse-connect=""app/live/usage""", page);
    }

    [Fact]
    public async Task AnonymousUsersAndAdminsCannotFetchTheCostFragment()
    {
        var adminEmail = Unique.Name("admin") + "@example.test";
        await portal.CreateUserAsync(adminEmail, Password, Roles.Admin, null);
        using var anonymous = portal.CreatePortalClient();
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(adminEmail, Password);

        using var anonymousResponse = await anonymous.GetAsync("/app/fragments/cost");
        using var adminResponse = await admin.GetAsync("/app/fragments/cost");

        Assert.Equal("/Account/Login", anonymousResponse.Headers.Location!.AbsolutePath());
        Assert.Equal("/Account/AccessDenied", adminResponse.Headers.Location!.AbsolutePath());
    }

    private async Task<(string ExternalId, string Owner, string Calls)> TieredOrganisationAsync()
    {
        var tiered = await CostQueryTests.TieredCustomerAsync(portal, api);
        return (tiered.ExternalId, await OwnerAsync(tiered.ExternalId), tiered.Calls);
    }

    /// <summary>A new organisation with an owner who can sign in.</summary>
    private async Task<(string ExternalId, string Owner)> OrganisationAsync(string prefix)
    {
        var externalId = await portal.CreateCustomerAsync(prefix);
        return (externalId, await OwnerAsync(externalId));
    }

    private async Task<string> OwnerAsync(string externalId)
    {
        var owner = $"{externalId}-owner@example.test";
        await portal.CreateUserAsync(owner, Password, Roles.CustomerOwner, await portal.CustomerIdAsync(externalId));
        return owner;
    }

    private Task SetLocaleAsync(string externalId, string locale) =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = await db.Customers.SingleAsync(c => c.ExternalId == externalId);
            customer.Locale = locale;
            await db.SaveChangesAsync();
        });

    private async Task<PortalClient> SignedInAsync(string email)
    {
        var client = portal.CreatePortalClient();
        await client.SignInAsync(email, Password);
        return client;
    }

    private static string CostFormatted(long minorUnits, string locale, string currency) =>
        (minorUnits / 100m).ToString("N2", System.Globalization.CultureInfo.GetCultureInfo(locale)) + "\u00a0" + currency;

    private static string Panel(string page)
    {
        var start = page.IndexOf("data-testid=\"cost-panel\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "The page has no cost panel.");
        return page[start..(page.IndexOf("</section>", start, StringComparison.Ordinal) + "</section>".Length)];
    }

    private static string TestId(string html, string id)
    {
        var match = Regex.Match(html, $@"data-testid=""{id}""[^>]*>(?<text>.*?)</p>", RegexOptions.Singleline);
        Assert.True(match.Success, $"Nothing has data-testid=\"{id}\".");
        return PortalClient.Text(match.Groups["text"].Value);
    }

    [GeneratedRegex(@"<li\b[^>]*data-cost-line=""(?<meter>[^""]*)""[^>]*>.*?</li>", RegexOptions.Singleline)]
    private static partial Regex LineItem();

    [GeneratedRegex(@"data-cost-chart=""(?<json>[^""]*)""")]
    private static partial Regex ChartAttribute();
}
