using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Pricing;
using UsagePortal.Metering;
using UsagePortal.Web.Components.Pages.Portal;
using UsagePortal.Web.Components.Shared;
using UsagePortal.Web.Formatting;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>The usage panel on its own: what it is given, per meter and per group; loading; empty.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class UsagePanelTests(ComponentHost host) : ComponentTest(host)
{
    [Fact]
    public async Task ShowsEachMetersTotalAndEachGroupAsTheUsageQuerySaysThem()
    {
        var (format, report) = await DemoReads.UsageAsync(Host, "acme");
        var readAt = new DateTime(2026, 12, 2, 17, 5, 9, DateTimeKind.Utc);

        var panel = Render<UsagePanel>(p => p.Add(c => c.Usage, report).Add(c => c.ReadAt, readAt).Add(c => c.Format, format));

        foreach (var meter in report.Meters)
        {
            Assert.Equal(format.Number(meter.Quantity), panel.Find($"[data-meter={meter.Code}]").TextContent.Trim());
            Assert.Equal(meter.Groups.Select(g => format.Number(g.Quantity)),
                panel.FindAll($"[data-testid=groups-{meter.Code}] tbody tr td:last-child").Select(c => c.TextContent.Trim()));
        }

        var calls = report.Meters.Single(m => m.Code == "api_calls");
        Assert.Equal(calls.Groups.Select(g => g.Key["region"]), panel.FindAll("[data-testid=groups-api_calls] tbody tr td:first-child").Select(c => c.TextContent.Trim()));
        // 17:05:09 UTC is 12:05:09 in New York, Acme's zone.
        Assert.Equal($"Usage as of {format.Time(readAt)}", panel.Find("[data-testid=usage-updated]").TextContent.Trim());
        Assert.StartsWith("12:05:09", format.Time(readAt), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithNothingCountedItSaysWhatWillAppearAndHow()
    {
        var (format, report) = await DemoReads.UsageAsync(Host, "acme");
        var nothing = report with { Meters = [.. report.Meters.Select(m => m with { Quantity = 0, Groups = [] })] };

        var panel = Render<UsagePanel>(p => p.Add(c => c.Usage, nothing).Add(c => c.Format, format));

        Assert.Contains("Usage appears here within a second", panel.Find("[data-testid=usage-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-meter]"));
    }

    [Fact]
    public void WhileTheFirstReadRunsItShowsSkeletons()
    {
        var panel = Render<UsagePanel>(p => p.Add(c => c.Usage, null).Add(c => c.Format, PortalFormat.Operator));

        Assert.NotEmpty(panel.FindAll("[data-testid=usage-loading] .mud-skeleton"));
        Assert.Empty(panel.FindAll("[data-meter], [data-testid=usage-updated]"));
    }
}

/// <summary>The cost panel on its own, on the demo's current period: figures, lines and their breakdowns, loading, no plan.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CostPanelTests(ComponentHost host) : ComponentTest(host)
{
    [Fact]
    public async Task ShowsTheFiguresTheCostQueryComputes()
    {
        var (format, cost) = await DemoReads.CostAsync(Host, "acme");

        var panel = Render<CostPanel>(p => p.Add(c => c.Cost, CostFigures.From(cost)).Add(c => c.Format, format));

        Assert.Equal(format.Money(cost.Invoice!.Total, cost.Currency), panel.Find("[data-testid=cost-so-far]").TextContent.Trim());
        Assert.Equal(format.Money(cost.Invoice!.Projected.Total, cost.Currency), panel.Find("[data-testid=cost-projected]").TextContent.Trim());
        Assert.Contains($"between {format.Money(cost.Invoice!.Projected.Low, cost.Currency)} and {format.Money(cost.Invoice!.Projected.High, cost.Currency)} (80 % range)",
            panel.Find("[data-testid=cost-band]").TextContent, StringComparison.Ordinal);
        Assert.Equal(cost.Lines.Select(l => $"{format.Money(l.Amount, cost.Currency)} so far · {format.Money(l.ProjectedAmount, cost.Currency)} projected"),
            panel.FindAll("[data-testid=cost-line-amounts]").Select(e => e.TextContent.Trim()));
        Assert.Single(panel.FindAll("[data-testid=cost-chart]"));
        Assert.Empty(panel.FindAll("[data-testid=cost-more-lines]"));
    }

    [Fact]
    public async Task ALineOpensToItsBreakdownRangeByRange()
    {
        var (format, cost) = await DemoReads.CostAsync(Host, "acme");
        var panel = Render<CostPanel>(p => p.Add(c => c.Cost, CostFigures.From(cost)).Add(c => c.Format, format));
        var line = cost.Lines.First(l => l.Meter == "api_calls" && l.Price is { Breakdown.Count: > 0 });
        Assert.Empty(panel.FindAll("[data-breakdown-kind]"));

        panel.Find($"[data-cost-line=api_calls][data-group='{line.GroupKey}'] .mud-expand-panel-header").Click();

        panel.WaitForAssertion(() =>
        {
            var opened = panel.Find($"[data-cost-line=api_calls][data-group='{line.GroupKey}']");
            var tables = opened.QuerySelectorAll("[data-testid=breakdown]");
            Assert.Equal(line.ProjectedPrice is { Breakdown.Count: > 0 } ? 2 : 1, tables.Length);
            Assert.Equal(line.Price!.Breakdown.Select(r => r.Kind.ToString()), tables[0].QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-breakdown-kind")));
            Assert.Equal(line.Price.Breakdown.Select(r => format.Exact(r.Amount)), tables[0].QuerySelectorAll("tbody tr td:last-child").Select(c => c.TextContent.Trim()));
            Assert.Contains($"So far: {format.Number(line.Quantity)} units", opened.TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task OfManyChargeLinesItListsTheLargestAndSumsUpTheRest()
    {
        var (format, cost) = await DemoReads.CostAsync(Host, "acme");
        var template = cost.Lines.First(l => l.Meter == "api_calls");
        // Thirty groups of one charge, the k-th costing k × 0.10 so far and k × 1.00 projected; the plan's other lines as they are.
        var groups = Enumerable.Range(1, 30).Select(k => template with { GroupKey = $"g{k:00}", Description = $"API calls (group g{k:00})", Amount = k * 10, ProjectedAmount = k * 100 });
        var many = cost with { Lines = [.. groups, .. cost.Lines.Where(l => l.Meter is null)] };

        var panel = Render<CostPanel>(p => p.Add(c => c.Cost, CostFigures.From(many)).Add(c => c.Format, format).Add(c => c.OwnView, true));

        var shown = panel.FindAll("[data-cost-line=api_calls]").Select(e => e.GetAttribute("data-group")).ToList();
        Assert.Equal(Enumerable.Range(6, 25).Select(k => $"g{k:00}"), shown);
        Assert.Equal(cost.Lines.Count(l => l.Meter is null), panel.FindAll("[data-cost-line='']").Count);
        // The five smallest: 0.10 + … + 0.50 so far, 1.00 + … + 5.00 projected.
        Assert.Equal($"5 smaller lines together: {format.Money(150, cost.Currency)} so far · {format.Money(1500, cost.Currency)} projected. Your invoice lists every line.",
            System.Text.RegularExpressions.Regex.Replace(panel.Find("[data-testid=cost-more-lines]").TextContent.Trim(), "[ \r\n\t]+", " "));
    }

    [Fact]
    public void WithoutAPlanItSaysSoInsteadOfShowingAmounts()
    {
        var panel = Render<CostPanel>(p => p.Add(c => c.Cost, null).Add(c => c.Format, PortalFormat.Operator));

        Assert.Contains("costs appear here as soon as a plan starts", panel.Find("[data-testid=cost-no-plan]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=cost-so-far], [data-testid=cost-chart], [data-cost-line]"));
    }

    [Fact]
    public void WhileTheFirstReadRunsItShowsSkeletons()
    {
        var panel = Render<CostPanel>(p => p.Add(c => c.Cost, null).Add(c => c.Loading, true).Add(c => c.Format, PortalFormat.Operator));

        Assert.NotEmpty(panel.FindAll("[data-testid=cost-loading] .mud-skeleton"));
        Assert.Empty(panel.FindAll("[data-testid=cost-no-plan], [data-testid=cost-so-far]"));
    }
}

/// <summary>What the domain reads for a demo organisation now.</summary>
internal static class DemoReads
{
    public static Task<(PortalFormat Format, UsageReport Report)> UsageAsync(ComponentHost host, string externalId) =>
        host.WithServicesAsync(async services =>
        {
            var customer = await services.GetRequiredService<UsagePortalDbContext>().Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalId);
            var format = PortalFormat.For(customer);
            var (from, to) = LocalCalendar.CalendarMonth(DateTime.UtcNow, format.TimeZone);
            return (format, await services.GetRequiredService<UsageQuery>().GetAsync(customer.Id, from, to));
        });

    public static Task<(PortalFormat Format, CurrentCost Cost)> CostAsync(ComponentHost host, string externalId) =>
        host.WithServicesAsync(async services =>
        {
            var customer = await services.GetRequiredService<UsagePortalDbContext>().Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalId);
            var cost = await services.GetRequiredService<CostQuery>().CurrentAsync(customer.Id, DateTime.UtcNow);
            Assert.NotNull(cost);
            return (PortalFormat.For(customer), cost);
        });
}
