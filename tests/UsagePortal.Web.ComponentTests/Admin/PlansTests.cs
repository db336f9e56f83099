using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/plans: the plans' latest versions as cards, and the way to a new one (the editor is tested in PlanEditorTests).</summary>
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
    public void TheListLeadsToTheEditorForANewPlan()
    {
        var page = RenderPage();

        Assert.Equal("admin/plans/new", page.Find("[data-testid=new-plan]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=plan-editor]"));
    }
}
