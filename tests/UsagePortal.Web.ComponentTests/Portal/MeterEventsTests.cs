using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Web.Components.Pages.Portal;
using static UsagePortal.Web.ComponentTests.Portal.FrozenCostHost;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>
/// /app/usage/events: the events behind a cost line, reached from the line, newest first, fifty at a time; always the
/// signed-in organisation's, whatever the address says.
/// </summary>
[Collection(FrozenCostCollection.Name)]
public sealed class MeterEventsTests(FrozenCostHost host) : FrozenCostTest(host)
{
    [Fact]
    public async Task TheCallsLineOpensToItsHundredAndFiveEventsFiftyAtATime()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);

        var page = RenderPage(acme.Calls);

        page.WaitForElement("[data-testid=events-table]");
        Assert.Equal(50, page.FindAll("[data-event]").Count);
        // Newest first: the five calls of 01:00 on the 11th, then the twelve of the 10th.
        Assert.Contains("11 Mar 2026", page.FindAll("[data-event] td")[0].TextContent, StringComparison.Ordinal);
        page.Find("[data-testid=events-older]").Click();
        page.WaitForAssertion(() => Assert.Equal(100, page.FindAll("[data-event]").Count));
        page.Find("[data-testid=events-older]").Click();
        page.WaitForAssertion(() => Assert.Equal(105, page.FindAll("[data-event]").Count));
        Assert.Empty(page.FindAll("[data-testid=events-older]"));
        Assert.Equal(105, page.FindAll("[data-event]").Select(e => e.GetAttribute("data-event")).Distinct().Count());
    }

    [Fact]
    public async Task AnotherOrganisationOpeningTheSameAddressSeesNoneOfTheseEvents()
    {
        var acme = await Host.TieredCustomerAsync();
        var (other, _) = await Host.CreateCustomerAsync("other");
        SignInAsOwnerOf(other);

        var page = RenderPage(acme.Calls);

        page.WaitForElement("[data-testid=events-empty]");
        Assert.Empty(page.FindAll("[data-event]"));
    }

    [Fact]
    public async Task AnAddressWithoutARangeSaysWhatIsMissing()
    {
        var acme = await Host.TieredCustomerAsync();
        SignInAsOwnerOf(acme.Id);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"app/usage/events?meter={acme.Calls}");

        var page = Render<MeterEvents>();

        Assert.Contains("does not name a meter and a range", page.Find("[data-testid=events-error]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGroupedMeterFiltersByGroupAndOffersTheShownEventsAsCsv()
    {
        Render<MudBlazor.MudPopoverProvider>();
        var (id, externalId) = await Host.CreateCustomerAsync("grouped");
        var code = $"reg_{Guid.NewGuid():N}"[..20];
        var type = $"reg.{Guid.NewGuid():N}";
        await Host.WithServicesAsync(async services =>
        {
            var saved = await services.GetRequiredService<UsagePortal.Domain.Meters.MeterService>().SaveAsync(
                new UsagePortal.Metering.MeterDefinition { Code = code, Name = "Requests", EventType = type, Aggregation = UsagePortal.Metering.MeterAggregation.Count, GroupBy = ["region"] }, "tests");
            Assert.True(saved.Succeeded);
        });
        await Host.IngestAsync(externalId, type, new { region = "eu-west" }, Utc(2026, 3, 3, 9), 3);
        await Host.IngestAsync(externalId, type, new { region = "us-east" }, Utc(2026, 3, 4, 9), 2);
        SignInAsOwnerOf(id);

        var page = RenderPage(code);

        page.WaitForElement("[data-testid=events-table]");
        Assert.Equal(5, page.FindAll("[data-event]").Count);
        var csv = page.Find("[data-testid=events-csv]").GetAttribute("href")!;
        Assert.StartsWith($"app/usage/events.csv?meter={code}&from=", csv, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=events-group]"));
        var usEast = UsagePortal.Metering.GroupKey.Format(new Dictionary<string, string?> { ["region"] = "us-east" });
        Services.GetRequiredService<NavigationManager>().NavigateTo(MeterEvents.Href(code, usEast, Utc(2026, 3, 1), Utc(2026, 3, 11, 12)));

        var filtered = Render<MeterEvents>();
        filtered.WaitForAssertion(() => Assert.Equal(2, filtered.FindAll("[data-event]").Count));
        Assert.Contains("&group=", filtered.Find("[data-testid=events-csv]").GetAttribute("href"), StringComparison.Ordinal);
    }

    private IRenderedComponent<MeterEvents> RenderPage(string meter)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(
            $"app/usage/events?meter={meter}&from={Uri.EscapeDataString("2026-03-01T00:00:00Z")}&to={Uri.EscapeDataString("2026-03-11T12:00:00Z")}");
        return Render<MeterEvents>();
    }
}
