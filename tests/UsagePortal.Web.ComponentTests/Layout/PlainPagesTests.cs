using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Pages;

namespace UsagePortal.Web.ComponentTests.Layout;

/// <summary>The pages that are not a portal or admin feature: the home address, "not found" and the error page.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class PlainPagesTests(ComponentHost host) : ComponentTest(host)
{
    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public async Task HomeSendsACustomerToTheirDashboardInPlaceOfItself()
    {
        SignInAsCustomer(await Host.CustomerIdAsync("acme"));

        Render<Home>();

        Assert.Equal("app", Navigation.ToBaseRelativePath(Navigation.Uri));
        var navigation = Assert.Single(Services.GetRequiredService<BunitNavigationManager>().History);
        Assert.True(navigation.Options.ReplaceHistoryEntry, "Home stayed in the history: Back would bounce to the dashboard again.");
    }

    [Fact]
    public void HomeSendsTheOperatorsAdminToTheOverview()
    {
        SignInAsAdmin();

        Render<Home>();

        Assert.Equal("admin", Navigation.ToBaseRelativePath(Navigation.Uri));
    }

    [Fact]
    public void NotFoundSaysSoOnceAndLinksHome()
    {
        var page = Render<NotFound>();

        Assert.Equal("Not found", Assert.Single(page.FindAll("h1")).TextContent.Trim());
        Assert.Contains("may belong to another organisation", page.Markup, StringComparison.Ordinal);
        // A real link (a MudButton with an empty Href renders a button that goes nowhere).
        Assert.Contains(page.FindAll("a"), a => a.GetAttribute("href") == "/" && a.TextContent.Contains("home page", StringComparison.Ordinal));
    }

    [Fact]
    public void TheErrorPageReassuresAndGivesTheRequestIdToQuote()
    {
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var request = new DefaultHttpContext { TraceIdentifier = "0HN-trace-42" };

        var page = Render<CascadingValue<HttpContext>>(p => p.Add(c => c.Value, request).AddChildContent<Error>());

        Assert.Equal("Something went wrong", Assert.Single(page.FindAll("h1")).TextContent.Trim());
        Assert.Contains("Nothing you saved was lost", page.Markup, StringComparison.Ordinal);
        var id = page.Find("code").TextContent;
        Assert.True(id == "0HN-trace-42" || id == System.Diagnostics.Activity.Current?.Id, $"The request id shown was {id}.");
    }
}
