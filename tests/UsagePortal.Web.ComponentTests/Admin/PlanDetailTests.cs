using Microsoft.EntityFrameworkCore;
using UsagePortal.Domain;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/plans/{code}: every version of one plan, with the editor of the next (tested in PlanEditorTests).</summary>
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
    public async Task ThePlanPageShowsEveryVersionWithTheEditorForTheNext()
    {
        var (code, meter) = await PublishAsync("team");
        var page = RenderPage(code);

        page.WaitForElement("[data-testid=plan-version]");
        Assert.Equal("Pro", Text(page.Find("h1")));
        Assert.Contains("Version 1 latest", Text(page.Find("[data-testid=plan-version]")));
        Assert.Contains("Subscriptions on it none yet", Text(page.Find("[data-testid=plan-version]")));
        Assert.Contains($"{meter}: first 1000 units free each period, then 0.002 USD per unit", Text(page.Find("[data-testid=plan-version]")));
        Assert.Contains("Publish version 2", Text(page.Find("[data-testid=publish-plan]")));
        Assert.Single(await VersionsAsync(code));
    }

    [Fact]
    public void AnUnknownPlanIsNotFound()
    {
        RenderPage(PlansTests.NewCode("nothing"));

        Assert.True(NotFoundCalled);
    }
}
