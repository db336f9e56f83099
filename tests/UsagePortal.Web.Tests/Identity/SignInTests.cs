using System.Net;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Identity;

public sealed class SignInTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TheDemoAdminSignsInWithTheReadmeCredentialsAndLandsInTheAdminArea()
    {
        using var client = portal.CreatePortalClient();

        var target = await client.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        var home = await client.GetAsync(target);

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        // The operator's home is the overview (/admin); the customers are one click away.
        Assert.Equal("/admin", home.Headers.Location!.AbsolutePath());
        var overview = await client.GetPageAsync("/admin");
        Assert.Contains("Overview", PortalClient.Text(overview));
        Assert.Contains("href=\"admin/customers\"", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDemoCustomerOwnerSignsInAndLandsOnTheirDashboard()
    {
        using var client = portal.CreatePortalClient();

        var target = await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        var home = await client.GetAsync(target);

        Assert.Equal("/app", home.Headers.Location!.AbsolutePath());
        Assert.Contains(DemoSettings.CustomerName, PortalClient.Text(await client.GetPageAsync("/app")));
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedWithAClearMessage()
    {
        using var client = portal.CreatePortalClient();

        var response = await SubmitLoginAsync(client, DemoSettings.CustomerEmail, "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong e-mail or password.", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/app")).StatusCode);
    }

    [Fact]
    public async Task AnEmptyFormNamesTheMissingFields()
    {
        using var client = portal.CreatePortalClient();

        var response = await SubmitLoginAsync(client, "", "");
        var text = PortalClient.Text(await response.Content.ReadAsStringAsync());

        Assert.Contains("Enter your e-mail address.", text);
        Assert.Contains("Enter your password.", text);
    }

    [Fact]
    public async Task TheSixthWrongPasswordInARowLocksTheAccountEvenAgainstTheRightPassword()
    {
        const string password = "Right!Password1";
        await portal.CreateUserAsync("lockout@acme.example", password, Roles.CustomerMember, customerId: null);
        using var client = portal.CreatePortalClient();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var refused = await SubmitLoginAsync(client, "lockout@acme.example", $"wrong-{attempt}");
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("Wrong e-mail or password.", PortalClient.Text(await refused.Content.ReadAsStringAsync()));
        }

        var sixth = await SubmitLoginAsync(client, "lockout@acme.example", "wrong-6");
        Assert.Equal(HttpStatusCode.Redirect, sixth.StatusCode);
        Assert.Equal("/Account/Lockout", sixth.Headers.Location!.AbsolutePath());

        var rightPassword = await SubmitLoginAsync(client, "lockout@acme.example", password);
        Assert.Equal("/Account/Lockout", rightPassword.Headers.Location!.AbsolutePath());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/app")).StatusCode);
    }

    [Fact]
    public async Task ASuccessfulSignInResetsTheCountOfWrongPasswords()
    {
        const string password = "Right!Password2";
        await portal.CreateUserAsync("reset-count@acme.example", password, Roles.Admin, customerId: null);
        using var client = portal.CreatePortalClient();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await SubmitLoginAsync(client, "reset-count@acme.example", "wrong");
        }

        await client.SignInAsync("reset-count@acme.example", password);
        using var second = portal.CreatePortalClient();
        var wrongAgain = await SubmitLoginAsync(second, "reset-count@acme.example", "wrong");

        Assert.Equal(HttpStatusCode.OK, wrongAgain.StatusCode);
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        var dashboard = await client.GetPageAsync("/app");
        var logout = PortalClient.FindLogoutForm(dashboard);

        var response = await client.PostFormAsync("/Account/Logout", logout, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/app")).StatusCode);
    }

    private static Task<HttpResponseMessage> SubmitLoginAsync(PortalClient client, string email, string password) =>
        client.SubmitFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
}
