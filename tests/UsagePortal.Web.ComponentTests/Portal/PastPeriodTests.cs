using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Metering;
using UsagePortal.Web.Components.Pages.Portal;
using static UsagePortal.Web.ComponentTests.Portal.FrozenCostHost;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/periods/{month}: a past month's usage, what it cost and its invoices; this month is the live dashboard.</summary>
[Collection(FrozenCostCollection.Name)]
public sealed class PastPeriodTests(FrozenCostHost host) : FrozenCostTest(host)
{
    [Fact]
    public async Task FebruaryShowsItsUsageAndWhatThePlanMadeOfIt()
    {
        Render<MudBlazor.MudPopoverProvider>();
        var (id, customer) = await Host.CreateCustomerAsync("past");
        var calls = $"calls_{Guid.NewGuid():N}"[..22];
        var type = $"past.call.{Guid.NewGuid():N}";
        await Host.CreateMeterAsync(calls, type, MeterAggregation.Count);
        await Host.SubscribeAsync(customer, $$"""[{ "meter": "{{calls}}", "model": "standard", "properties": { "unitAmount": "0.10" } }]""", Utc(2026, 2, 1), flatFee: 500);
        await Host.IngestAsync(customer, type, new { }, Utc(2026, 2, 10, 9), 70);
        await Host.IngestAsync(customer, type, new { }, Utc(2026, 2, 20, 9), 50);
        await Host.IngestAsync(customer, type, new { }, Utc(2026, 3, 2, 9), 9);
        SignInAsOwnerOf(id);

        var page = RenderMonth("2026-02");

        page.WaitForElement("[data-testid=past-cost-total]");
        // 120 calls × 0.10 and the 5.00 flat fee: the February period as its invoice rates it.
        Assert.Equal("17.00\u00a0USD", page.Find("[data-testid=past-cost-total]").TextContent.Trim());
        Assert.Contains("1 Feb – 28 Feb 2026", page.Find("[data-testid=past-period-range]").TextContent, StringComparison.Ordinal);
        Assert.Contains("120", page.Find($"[data-meter='{calls}']").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=past-invoices-none]"));
        Assert.NotNull(page.Find("[data-testid=period-picker]"));
    }

    [Fact]
    public async Task ThisMonthIsTheLiveDashboardAndNonsenseSaysSo()
    {
        var (id, _) = await Host.CreateCustomerAsync("past");
        SignInAsOwnerOf(id);

        RenderMonth("2026-03");
        Assert.EndsWith("/app", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);

        var nonsense = RenderMonth("march");
        Assert.Contains("does not name a month", nonsense.Find("[data-testid=past-period-error]").TextContent, StringComparison.Ordinal);
    }

    private IRenderedComponent<PastPeriod> RenderMonth(string month) =>
        Render<PastPeriod>(parameters => parameters.Add(p => p.Month, month));
}
