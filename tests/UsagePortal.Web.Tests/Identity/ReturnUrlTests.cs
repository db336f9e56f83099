using System.Net;
using System.Text.RegularExpressions;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>After sign-in the portal goes back only to a page of its own: an address elsewhere leads to the home page.</summary>
public sealed partial class ReturnUrlTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task AReturnUrlOnAnotherSiteSignsInAndLandsOnTheHomePage(string returnUrl)
    {
        using var client = portal.CreatePortalClient();

        var response = await client.SubmitFormAsync($"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = DemoSettings.CustomerEmail,
            ["Input.Password"] = DemoSettings.CustomerPassword,
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        AssertHome(response.Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
    }

    [Fact]
    public async Task ALocalReturnUrlIsFollowedAfterSignIn()
    {
        using var client = portal.CreatePortalClient();

        var response = await client.SubmitFormAsync($"/Account/Login?ReturnUrl={Uri.EscapeDataString("/app/invoices")}", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = DemoSettings.CustomerEmail,
            ["Input.Password"] = DemoSettings.CustomerPassword,
        });

        Assert.Equal("/app/invoices", response.Headers.Location!.AbsolutePath());
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task AReturnUrlOnAnotherSiteCarriedThroughTwoFactorSignInLandsOnTheHomePage(string returnUrl)
    {
        const string password = "Two!Factor123";
        var email = $"return-2fa-{Guid.NewGuid():N}@acme.example";
        await portal.CreateUserAsync(email, password, Roles.Admin, customerId: null);
        using var setup = portal.CreatePortalClient();
        await setup.SignInAsync(email, password);
        var key = KeyPattern().Match(await setup.GetPageAsync("/Account/Manage/EnableAuthenticator")).Groups["key"].Value;
        await setup.SubmitFormAsync("/Account/Manage/EnableAuthenticator", "send-code", new Dictionary<string, string> { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });

        using var client = portal.CreatePortalClient();
        var needsCode = await client.SubmitFormAsync($"/Account/Login?ReturnUrl={Uri.EscapeDataString(returnUrl)}", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        Assert.Equal("/Account/LoginWith2fa", needsCode.Headers.Location!.AbsolutePath());
        var location = needsCode.Headers.Location!;
        var secondStep = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

        var signedIn = await client.SubmitFormAsync(secondStep, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = Totp.Code(key, DateTimeOffset.UtcNow) });

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        AssertHome(signedIn.Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/customers")).StatusCode);
    }

    private static void AssertHome(Uri location)
    {
        Assert.DoesNotContain("evil.example", location.OriginalString, StringComparison.OrdinalIgnoreCase);
        Assert.False(location.IsAbsoluteUri && location.Host != "localhost", $"Redirected off the site: {location}");
        Assert.Equal("/", location.AbsolutePath());
    }

    [GeneratedRegex(@"<kbd>(?<key>[a-z2-7 ]+)</kbd>")]
    private static partial Regex KeyPattern();
}
