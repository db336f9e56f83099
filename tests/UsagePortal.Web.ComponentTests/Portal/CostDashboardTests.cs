using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Cost;
using UsagePortal.Metering;
using UsagePortal.Web.Components.Pages.Portal;
using UsagePortal.Web.Formatting;
using static UsagePortal.Web.ComponentTests.Portal.FrozenCostHost;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>
/// The dashboard's cost panel, for two organisations on different plans, currencies and locales, with the clock at noon
/// UTC on Wednesday 11 March 2026: each owner sees their own figures, formatted their way, down to the breakdown, and
/// the cost follows new usage without a reload. (Ported from the web tests that read the old page and its fragments.)
/// </summary>
[Collection(FrozenCostCollection.Name)]
public sealed class CostDashboardTests(FrozenCostHost host) : FrozenCostTest(host)
{
    [Fact]
    public async Task TheOwnerSeesCostSoFarAndTheProjectionWithItsBand()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);

        var page = RenderLive();

        Assert.Equal("50.25\u00a0USD", Text(page, "cost-so-far"));
        Assert.Equal("60.50\u00a0USD", Text(page, "cost-projected"));
        Assert.Contains("between 59.43\u00a0USD and 61.57\u00a0USD", Text(page, "cost-band"), StringComparison.Ordinal);
        Assert.Equal("Scale plan · 1 Mar – 31 Mar 2026 · USD", Text(page, "cost-plan"));
    }

    [Fact]
    public async Task CostSoFarAndTheProjectionAreWhatTheInvoiceWouldSayWithCreditsAndTax()
    {
        var acme = await Host.TieredCustomerAsync();
        await Host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = await db.Customers.SingleAsync(c => c.Id == acme.Id);
            customer.TaxRate = 0.2m;
            db.CreditGrants.Add(new UsagePortal.Data.Billing.CreditGrant { CustomerId = acme.Id, Currency = "USD", Amount = 2000, Remaining = 2000, Reason = "welcome", CreatedAt = Utc(2026, 3, 1), CreatedBy = "tests" });
            await db.SaveChangesAsync();
        });
        SignInAsOwnerOf(acme.Id);

        var page = RenderLive();

        // Usage and fees 50.25, credit 20.00, tax 20 % of 30.25 = 6.05: 36.30. Projected 60.50 (59.43–61.57): after the
        // credit 40.50 (39.43–41.57), with tax 48.60 (47.32–49.88).
        Assert.Equal("36.30\u00a0USD", Text(page, "cost-so-far"));
        var sum = page.Find("[data-testid=cost-so-far-sum]").TextContent;
        Assert.Contains("Usage and fees50.25\u00a0USD", sum, StringComparison.Ordinal);
        Assert.Equal("Credits−20.00\u00a0USD", Text(page, "cost-so-far-credits"));
        Assert.Equal("Tax (20\u00a0%)6.05\u00a0USD", Text(page, "cost-so-far-tax"));
        Assert.Equal("48.60\u00a0USD", Text(page, "cost-projected"));
        Assert.Contains("between 47.32\u00a0USD and 49.88\u00a0USD", Text(page, "cost-band"), StringComparison.Ordinal);
        Assert.Contains("with credits and tax as the invoice applies them", Text(page, "cost-band"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProjectionSaysWhenSpendReachesTheBudgetAndTheCapAndTheChartDrawsThem()
    {
        var acme = await Host.TieredCustomerAsync();
        var saved = await Host.WithServicesAsync(services => services.GetRequiredService<UsagePortal.Domain.Budgets.BudgetService>()
            .SaveAsync(acme.Id, new UsagePortal.Domain.Budgets.BudgetInput("55.00", "100.00", null, null, []), "owner@test"));
        Assert.True(saved.Succeeded);
        SignInAsOwnerOf(acme.Id);

        var page = RenderLive();

        // 50.50 at the end of today, then 10 calls a day at 0.05: 55.00 at the end of the 20th; the projection ends at 60.50.
        Assert.StartsWith("At this pace, spend reaches your 55.00\u00a0USD budget on 20 Mar 2026. At this pace, spend stays within your 100.00\u00a0USD spend cap.",
            Text(page, "cost-limits"), StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=chart-budget]"));
        Assert.NotNull(page.Find("[data-testid=chart-cap]"));
        Assert.Empty(page.FindAll("[data-testid=cost-limits-none]"));
    }

    [Fact]
    public async Task EachChargedMetersCardChartsItsUsagePerDayOfThePeriod()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);

        var page = RenderLive();

        // 1 to 10 March complete (today, the 11th, is not): 8 calls on odd days, 12 on even days.
        var bars = page.FindAll($"[data-testid=daily-{acme.Calls}] rect");
        Assert.Equal(Enumerable.Range(1, 10).Select(d => $"2026-03-{d:D2}"), bars.Select(b => b.GetAttribute("data-day")));
        Assert.Equal(["1 Mar: 8", "2 Mar: 12"], bars.Take(2).Select(b => b.TextContent.Trim()));
        Assert.Equal("38", bars[1].GetAttribute("height"));
        Assert.Contains("highest 12 on 10 Mar, yesterday 12", page.Find($"[data-testid=daily-{acme.Calls}] svg").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABudgetAlreadyPassedSaysSoAndNoBudgetInvitesToSetOne()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);
        var without = RenderLive();
        Assert.Contains("No budget or spend cap is set.", Text(without, "cost-limits-none"), StringComparison.Ordinal);
        Assert.Empty(without.FindAll("[data-testid=chart-budget]"));

        await Host.WithServicesAsync(services => services.GetRequiredService<UsagePortal.Domain.Budgets.BudgetService>()
            .SaveAsync(acme.Id, new UsagePortal.Domain.Budgets.BudgetInput("40.00", null, null, null, []), "owner@test"));
        var page = RenderLive();

        Assert.StartsWith("Spend is already past your 40.00\u00a0USD budget.", Text(page, "cost-limits"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachMetersCardComparesItWithTheSamePointOfLastMonth()
    {
        var acme = await Host.TieredCustomerAsync();
        // February: 70 calls by the 11th at noon (as far into February as it is now into March), 50 more after it.
        await Host.IngestAsync(acme.ExternalId, acme.CallType, new { }, Utc(2026, 2, 5, 9), 70);
        await Host.IngestAsync(acme.ExternalId, acme.CallType, new { }, Utc(2026, 2, 20, 9), 50);
        SignInAsOwnerOf(acme.Id);

        var page = RenderLive();

        // 105 calls by now against 70: half as many again. Storage had no event in February.
        Assert.Equal("50\u00a0% more than at this point last month (70)", Text(page, $"change-{acme.Calls}"));
        Assert.Equal(["None by this point last month"], page.FindAll("[data-testid^=change-storage_]").Select(e => e.TextContent.Trim()));
    }

    [Fact]
    public void TheSamePointOfLastMonthNeverRunsPastItsEnd()
    {
        Assert.Equal((Utc(2026, 2, 1), Utc(2026, 2, 11, 12)), DashboardFigures.SamePointOfTheLastPeriod(Utc(2026, 3, 1), Utc(2026, 3, 11, 12), TimeZoneInfo.Utc));
        // 29.5 days into March is past February's 28 days: all of February.
        Assert.Equal((Utc(2026, 2, 1), Utc(2026, 3, 1)), DashboardFigures.SamePointOfTheLastPeriod(Utc(2026, 3, 1), Utc(2026, 3, 30, 12), TimeZoneInfo.Utc));
    }

    [Fact]
    public async Task EachLineOpensToItsBreakdownSoFarAndProjected()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);
        var page = RenderLive();
        var line = page.Find($"[data-cost-line={acme.Calls}]");
        Assert.Equal("10.25\u00a0USD so far · 20.50\u00a0USD projected", line.QuerySelector("[data-testid=cost-line-amounts]")!.TextContent.Trim());
        Assert.Empty(line.QuerySelectorAll("[data-breakdown-kind]"));

        line.QuerySelector(".mud-expand-panel-header")!.Click();

        page.WaitForAssertion(() =>
        {
            var opened = page.Find($"[data-cost-line={acme.Calls}]");
            var text = opened.TextContent;
            Assert.Contains("So far: 105 units", text, StringComparison.Ordinal);
            Assert.Equal($"app/usage/events?meter={acme.Calls}&from=2026-03-01T00%3A00%3A00.0000000%2B00%3A00&to=2026-03-11T12%3A00%3A00.0000000%2B00%3A00",
                opened.QuerySelector("[data-testid=cost-line-events]")!.GetAttribute("href"));
            Assert.Contains("Projected: 310 units", text, StringComparison.Ordinal);
            // Both tiers, so far and projected: 0–100 at 0.10 and 100–∞ at 0.05 (5 units so far, 210 projected).
            var ranges = opened.QuerySelectorAll("[data-breakdown-kind=Range]");
            Assert.Equal(4, ranges.Length);
            Assert.Equal(["Range", "100", "∞", "210", "0.05", "10.5"], ranges[3].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
            Assert.Equal(["Range", "0", "100", "100", "0.1", "10"], ranges[0].QuerySelectorAll("td").Select(c => c.TextContent.Trim()));
        });
    }

    [Fact]
    public async Task TheChartAndItsTableCarryTheActualAndProjectedSeries()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);
        var page = RenderLive();
        Assert.Single(page.FindAll("[data-testid=cost-chart]"));
        Assert.Contains("projected 60.50\u00a0USD, likely between 59.43\u00a0USD and 61.57\u00a0USD", page.Find("[data-testid=cost-chart]").GetAttribute("aria-label"), StringComparison.Ordinal);

        page.Find("[data-testid=cost-chart-figures] .mud-expand-panel-header").Click();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid=cost-chart-table] tbody tr").Select(r => r.Children.Select(c => c.TextContent.Trim()).ToArray()).ToList();
            // Start, the end of 1 to 10 March, now; then the end of 11 to 31 March.
            Assert.Equal(11 + 1 + 21, rows.Count);
            Assert.Equal(["Start of the period", "10.00\u00a0USD", "", ""], rows[0]);
            Assert.Equal(["End of 10 Mar 2026", "50.00\u00a0USD", "", ""], rows[10]);
            Assert.Equal("50.25\u00a0USD", rows[11][1]);
            Assert.StartsWith("Now, ", rows[11][0], StringComparison.Ordinal);
            Assert.Equal(["End of 31 Mar 2026", "", "60.50\u00a0USD", "59.43\u00a0USD – 61.57\u00a0USD"], rows[^1]);
        });
    }

    [Fact]
    public async Task AnotherOrganisationsOwnerSeesOnlyTheirOwnFiguresInTheirOwnFormat()
    {
        var acme = await Host.TieredCustomerAsync();
        var globex = await Host.CreateCustomerAsync("globex");
        var meter = $"calls_{Guid.NewGuid():N}"[..22];
        var type = $"dash.globex.{Guid.NewGuid():N}";
        await Host.CreateMeterAsync(meter, type, MeterAggregation.Count);
        await Host.SubscribeAsync(globex.ExternalId, $$"""[{ "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "1.5" } }]""",
            Utc(2026, 2, 28, 23), currency: "EUR", zone: "Europe/Berlin", locale: "de-DE");
        for (var day = 2; day <= 8; day++)
        {
            await Host.IngestAsync(globex.ExternalId, type, new { }, Utc(2026, 3, day, 9));
        }

        var (format, expected) = await Host.WithServicesAsync(async services =>
        {
            var customer = await services.GetRequiredService<UsagePortalDbContext>().Customers.AsNoTracking().SingleAsync(c => c.Id == globex.Id);
            return (PortalFormat.For(customer), await services.GetRequiredService<CostQuery>().CurrentAsync(globex.Id, Host.Clock.Now.UtcDateTime));
        });

        SignInAsOwnerOf(globex.Id);
        var globexPage = RenderLive();
        var globexPanel = globexPage.Find("[data-testid=cost-panel]").OuterHtml;

        Assert.Equal("10,50\u00a0EUR", Text(globexPage, "cost-so-far"));
        Assert.Equal(format.Money(expected!.Projection.Total, "EUR"), Text(globexPage, "cost-projected"));
        Assert.Contains(format.Period(expected.Period.Start, expected.Period.End), Text(globexPage, "cost-plan"), StringComparison.Ordinal);
        Assert.Contains("31 März 2026", Text(globexPage, "cost-plan"), StringComparison.Ordinal);
        Assert.DoesNotContain(acme.Calls, globexPanel, StringComparison.Ordinal);
        Assert.DoesNotContain("USD", globexPanel, StringComparison.Ordinal);

        SignInAsOwnerOf(acme.Id);
        var acmePage = RenderLive();
        Assert.Equal("50.25\u00a0USD", Text(acmePage, "cost-so-far"));
        Assert.DoesNotContain(meter, acmePage.Find("[data-testid=cost-panel]").OuterHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAPlanThePanelSaysSoInsteadOfShowingAmounts()
    {
        var initech = await Host.CreateCustomerAsync("initech");
        SignInAsOwnerOf(initech.Id);

        var page = RenderLive();

        Assert.Contains("No price plan applies to your organisation right now", Text(page, "cost-no-plan"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=cost-chart], [data-testid=cost-so-far]"));
    }

    [Fact]
    public async Task TheCostFollowsNewUsageWithoutAReload()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);
        var page = RenderLive();
        Assert.Equal("50.25\u00a0USD", Text(page, "cost-so-far"));

        // Two more calls, both in the second tier at 0.05.
        await Host.IngestAsync(acme.ExternalId, acme.CallType, new { }, Utc(2026, 3, 11, 11), 2);

        page.WaitForAssertion(() => Assert.Equal("50.35\u00a0USD", Text(page, "cost-so-far")), TimeSpan.FromSeconds(10));
        Assert.Equal("10.35\u00a0USD so far", page.Find($"[data-cost-line={acme.Calls}] [data-testid=cost-line-amounts]").TextContent.Trim().Split(" · ")[0]);
    }

    private IRenderedComponent<Dashboard> RenderLive()
    {
        var page = Render<Dashboard>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=dashboard]").GetAttribute("data-interactive")), TimeSpan.FromSeconds(30));
        return page;
    }

    private static string Text(IRenderedComponent<Dashboard> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();
}
