using Microsoft.AspNetCore.Components;
using UsagePortal.Web.Components.Layout;

namespace UsagePortal.Web.ComponentTests.Layout;

[Collection(ComponentHostCollection.Name)]
public sealed class MainLayoutTests(ComponentHost host) : ComponentTest(host)
{
    private static RenderFragment Body => builder => builder.AddMarkupContent(0, "<h1>Page</h1>");

    [Fact]
    public async Task ACustomerSeesTheirOrganisationsNameAndThePortalNavigation()
    {
        SignInAsCustomer(await Host.CustomerIdAsync("acme"));

        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Body));

        layout.WaitForAssertion(() => Assert.Equal("Acme Analytics", layout.Find("[data-testid=organisation]").TextContent.Trim()));
        var links = layout.FindAll("nav a, .mud-navmenu a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("app/invoices", links);
        Assert.DoesNotContain("admin/customers", links);
    }

    [Fact]
    public void AnAdminSeesTheOperatorConsoleAndItsNavigation()
    {
        SignInAsAdmin();

        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Body));

        Assert.Contains("Operator console", layout.Find("[data-testid=organisation]").TextContent, StringComparison.Ordinal);
        var links = layout.FindAll(".mud-navmenu a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("admin/customers", links);
        Assert.DoesNotContain("app", links);
    }

    [Fact]
    public void TheUserMenuSignsOutWithAFormPost()
    {
        SignInAsAdmin();

        var layout = Render<MainLayout>(parameters => parameters.Add(l => l.Body, Body));
        layout.Find("[data-testid=user-menu] button").Click();

        var form = layout.WaitForElement("form[action='Account/Logout']");
        // The antiforgery token in it comes from the circuit's state; the browser test signs out through this form.
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.NotNull(form.QuerySelector("[data-testid=sign-out]"));
    }
}
