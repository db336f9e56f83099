using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/plans: the plans' latest versions as cards, and a plan published from pasted JSON, with every bad field named.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class PlansTests(ComponentHost host) : BillingPageTest(host)
{
    internal static string NewCode(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 11)];

    internal static string PlanJson(string code, string meter, string unitAmount = "0.002", string flatFee = "49.9", string name = "Pro") => $$"""
        {
          "code": "{{code}}", "name": "{{name}}", "currency": "USD", "interval": "monthly", "flatFee": "{{flatFee}}", "minimumCommitment": "0",
          "charges": [
            { "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "{{unitAmount}}" }, "freeAllowance": "1000" },
            { "meter": "{{meter}}_gb", "model": "graduated", "properties": { "ranges": [
              { "fromValue": "0", "toValue": "10", "perUnitAmount": "10", "flatAmount": "2" },
              { "fromValue": "11", "toValue": null, "perUnitAmount": "5", "flatAmount": "3" } ] } }
          ]
        }
        """;

    /// <summary>Two counting meters, <c>code</c> and <c>code_gb</c>, for a plan's two charges; answers the first code.</summary>
    internal static async Task<string> CreateMetersAsync(Func<string, Task<string>> createMeter)
    {
        ArgumentNullException.ThrowIfNull(createMeter);
        var code = $"m_{Guid.NewGuid():N}"[..17];
        await createMeter(code);
        await createMeter(code + "_gb");
        return code;
    }

    private Task<List<PlanVersion>> VersionsAsync(string code) =>
        WithDbAsync(db => db.PlanVersions.AsNoTracking().Where(v => v.Plan!.Code == code).OrderBy(v => v.Version).ToListAsync());

    private IRenderedComponent<Plans> RenderPage()
    {
        SignInAsAdmin();
        RenderProviders();
        var page = Render<Plans>();
        page.WaitForElement("[data-testid=plans]");
        return page;
    }

    [Fact]
    public void ThePlansAreListedWithTheirChargesAndALinkToTheirVersions()
    {
        var page = RenderPage();

        var growth = Text(page.Find("[data-plan=growth]"));
        Assert.Contains("growth · USD · monthly", growth);
        Assert.Contains("api_calls:", growth);
        Assert.Equal("admin/plans/growth", page.Find("[data-plan=growth] a").GetAttribute("href"));
        Assert.NotNull(page.Find("[data-plan=growth-eu]"));
    }

    [Fact]
    public async Task AnAdminPublishesAPlanFromItsJsonAndSeesItListed()
    {
        var meter = await CreateMetersAsync(c => CreateMeterAsync(c));
        var code = NewCode("pro");
        var page = RenderPage();

        page.Find("[data-testid=plan-json]").Change(PlanJson(code, meter));
        page.Find("[data-testid=publish-plan]").Click();

        page.WaitForAssertion(() => Assert.Contains($"Plan {code} created: version 1 is published.", SnackbarText()));
        var version = Assert.Single(await VersionsAsync(code));
        Assert.Equal((4990L, "USD", DemoSettings.AdminEmail), (version.FlatFeeMinorUnits, version.Currency, version.CreatedBy));
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-plan='{code}']")));
        var card = Text(page.Find($"[data-plan='{code}']"));
        Assert.Contains($"Pro v1 {code} · USD · monthly Flat fee 49.90 USD Minimum none", card);
        Assert.Contains($"{meter}: first 1000 units free each period, then 0.002 USD per unit", card);
        Assert.Contains($"{meter}_gb: graduated: up to 10 at 10 USD per unit + 2 USD; over 10 at 5 USD per unit + 3 USD", card);
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "plan.created" && e.Subject == $"plan:{code}")));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAndNothingIsStored()
    {
        var meter = await CreateMetersAsync(c => CreateMeterAsync(c));
        var code = NewCode("bad");
        var json = PlanJson(code, meter, unitAmount: "-1", flatFee: "10.005").Replace($"\"{meter}_gb\"", "\"no_such_meter\"", StringComparison.Ordinal);
        var page = RenderPage();

        page.Find("[data-testid=plan-json]").Change(json);
        page.Find("[data-testid=publish-plan]").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=plan-errors]")));
        var errors = Text(page.Find("[data-testid=plan-errors]"));
        Assert.Contains("flatFee : must be a whole amount of USD (2 decimals at most)", errors);
        Assert.Contains("charges[0].properties.unitAmount : must not be negative", errors);
        Assert.Contains("Nothing was published", ErrorAt(page, "plan-json"));
        // What was typed stays in the text area, to be fixed rather than typed again.
        Assert.Contains("10.005", page.Find("[data-testid=plan-json]").GetAttribute("value") ?? page.Find("[data-testid=plan-json]").TextContent);
        Assert.Empty(await VersionsAsync(code));

        page.Find("[data-testid=plan-json]").Change(json.Replace("-1", "1", StringComparison.Ordinal).Replace("10.005", "10", StringComparison.Ordinal));
        page.Find("[data-testid=publish-plan]").Click();

        page.WaitForAssertion(() => Assert.Contains("charges[1].meter : no meter has code 'no_such_meter'", Text(page.Find("[data-testid=plan-errors]"))));
        Assert.Empty(await VersionsAsync(code));
    }

    [Fact]
    public async Task TextThatIsNotJsonIsRefused()
    {
        var page = RenderPage();

        page.Find("[data-testid=plan-json]").Change("""{ "code": "half" """);
        page.Find("[data-testid=publish-plan]").Click();

        page.WaitForAssertion(() => Assert.Contains("body : is not valid JSON", Text(page.Find("[data-testid=plan-errors]"))));
        Assert.Empty(await VersionsAsync("half"));
    }
}
