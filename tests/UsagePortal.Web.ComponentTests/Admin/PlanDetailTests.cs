using Microsoft.EntityFrameworkCore;
using UsagePortal.Domain;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/plans/{code}: every version of one plan, and its next version published from the latest one's JSON.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class PlanDetailTests(ComponentHost host) : BillingPageTest(host)
{
    private Task<List<PlanVersion>> VersionsAsync(string code) =>
        WithDbAsync(db => db.PlanVersions.AsNoTracking().Where(v => v.Plan!.Code == code).OrderBy(v => v.Version).ToListAsync());

    private async Task<(string Code, string Meter)> PublishAsync(string prefix)
    {
        var meter = await PlansTests.CreateMetersAsync(c => CreateMeterAsync(c));
        var code = PlansTests.NewCode(prefix);
        var (saved, errors) = await WithServiceAsync<Domain.Plans.PlanService, Result<Domain.Plans.PlanPublished>>(s => s.PublishAsync(PlansTests.PlanJson(code, meter), "tests"));
        Assert.True(saved is not null, string.Join("; ", errors));
        return (code, meter);
    }

    private IRenderedComponent<PlanDetail> RenderPage(string code)
    {
        SignInAsAdmin();
        RenderProviders();
        return Render<PlanDetail>(parameters => parameters.Add(p => p.Code, code));
    }

    [Fact]
    public async Task ThePlanPageShowsEveryVersionAndPublishesTheNext()
    {
        var (code, meter) = await PublishAsync("team");
        var page = RenderPage(code);

        page.WaitForElement("[data-testid=plan-version]");
        Assert.Equal("Pro", Text(page.Find("h1")));
        Assert.Contains("Version 1 latest", Text(page.Find("[data-testid=plan-version]")));
        Assert.Contains("Subscriptions on it none yet", Text(page.Find("[data-testid=plan-version]")));
        Assert.Contains("Publish version 2", Text(page.Find("[data-testid=plan-form]")));
        Assert.Contains($"\"code\": \"{code}\"", page.Find("[data-testid=plan-json]").GetAttribute("value") ?? page.Find("[data-testid=plan-json]").TextContent);

        page.Find("[data-testid=plan-json]").Change(PlansTests.PlanJson(code, meter, unitAmount: "0.0015", name: "Team"));
        page.Find("[data-testid=publish-plan]").Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=plan-version]").Count));
        Assert.Contains($"Plan {code} version 2 published.", SnackbarText());
        var versions = page.FindAll("[data-testid=plan-version]").Select(Text).ToList();
        Assert.Contains("Version 2 latest", versions[0]);
        Assert.Contains($"{meter}: first 1000 units free each period, then 0.0015 USD per unit", versions[0]);
        Assert.Contains($"{meter}: first 1000 units free each period, then 0.002 USD per unit", versions[1]);
        Assert.Equal("Team", Text(page.Find("h1")));
        Assert.Contains("Publish version 3", Text(page.Find("[data-testid=plan-form]")));
        Assert.Equal([1, 2], (await VersionsAsync(code)).Select(v => v.Version));
    }

    [Fact]
    public async Task ThePlanPagePublishesOnlyItsOwnPlan()
    {
        var (code, meter) = await PublishAsync("own");
        var other = PlansTests.NewCode("other");
        var page = RenderPage(code);
        page.WaitForElement("[data-testid=plan-version]");

        page.Find("[data-testid=plan-json]").Change(PlansTests.PlanJson(other, meter));
        page.Find("[data-testid=publish-plan]").Click();

        page.WaitForAssertion(() => Assert.Contains($"code : must be '{code}' on this page", Text(page.Find("[data-testid=plan-errors]"))));
        Assert.Empty(await VersionsAsync(other));
        Assert.Single(await VersionsAsync(code));
    }

    [Fact]
    public void AnUnknownPlanIsNotFound()
    {
        RenderPage(PlansTests.NewCode("nothing"));

        Assert.True(NotFoundCalled);
    }
}
