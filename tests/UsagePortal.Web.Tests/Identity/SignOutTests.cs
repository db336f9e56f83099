using System.Net;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>Sign-out needs the antiforgery token of the portal's own sign-out form: another site cannot sign a user out.</summary>
public sealed class SignOutTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task ASignOutPostWithoutTheTokenIsRefusedAndTheUserStaysSignedIn()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        // What another site's auto-submitting form sends: the browser adds the cookies, but the page's token is missing.
        var response = await client.Http.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
    }

    [Fact]
    public async Task TheLayoutsSignOutFormCarriesTheTokenAndSignsOut()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        var form = PortalClient.FindLogoutForm(await client.GetPageAsync("/app"));
        Assert.Contains("__RequestVerificationToken", form.Keys);

        var response = await client.PostFormAsync("/Account/Logout", form, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/app")).StatusCode);
    }
}
