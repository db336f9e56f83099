using System.Net;
using System.Text.RegularExpressions;

namespace UsagePortal.Web.Tests.Live;

/// <summary>
/// The dashboard as a plain GET answers it (prerendered, before any circuit): each organisation's own figures and nothing
/// of another's, and no trace of the old event stream or its fragments. Live updates run over the circuit and are tested
/// with bunit (ComponentTests/Portal/DashboardTests) and in a browser (Browser.Tests/LiveUsage).
/// </summary>
public sealed partial class DashboardPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task ThePrerenderedDashboardShowsTheOrganisationsOwnFiguresOnly()
    {
        using var acme = portal.CreatePortalClient();
        using var globex = portal.CreatePortalClient();
        await acme.SignInAsync(DemoSettings.MemberEmail, DemoSettings.CustomerPassword);
        await globex.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        var acmePage = await acme.GetPageAsync("/app");
        var globexPage = await globex.GetPageAsync("/app");

        Assert.Contains("data-meter=\"api_calls\"", acmePage, StringComparison.Ordinal);
        Assert.Matches(CostSoFar(), acmePage);
        Assert.Contains(DemoSettings.CustomerName, PortalClient.Text(acmePage), StringComparison.Ordinal);
        Assert.Contains(DemoSettings.OtherCustomerName, PortalClient.Text(globexPage), StringComparison.Ordinal);
        Assert.DoesNotContain(DemoSettings.CustomerName, PortalClient.Text(globexPage), StringComparison.Ordinal);
        Assert.DoesNotContain("USD", PortalClient.Text(globexPage), StringComparison.Ordinal);
        // Not live yet: the page says so until its circuit has read the figures and listens for changes.
        Assert.Contains("data-interactive=\"false\"", acmePage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/app/fragments/usage")]
    [InlineData("/app/fragments/cost")]
    [InlineData("/app/live/usage")]
    public async Task TheOldStreamAndFragmentsAreGone(string path)
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        using var response = await client.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("data-testid=\"cost-so-far\"[^>]*>[^<]*\\d")]
    private static partial Regex CostSoFar();
}
