using System.Net;
using System.Text.RegularExpressions;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Identity;

public sealed partial class PasswordAndTwoFactorTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("/Account/LoginWith2fa")]
    [InlineData("/Account/LoginWithRecoveryCode")]
    public async Task ASecondStepReachedWithoutThePasswordStepSendsToSignInInsteadOfAnError(string page)
    {
        using var client = portal.CreatePortalClient();

        var response = await client.GetAsync(page);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath());
    }

    [Fact]
    public async Task AForgottenPasswordIsResetThroughTheEmailedLink()
    {
        await portal.CreateUserAsync("forgetful@acme.example", "Original!Pass1", Roles.CustomerMember, customerId: null);
        using var client = portal.CreatePortalClient();

        var asked = await client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = "forgetful@acme.example" });
        Assert.Equal("/Account/ForgotPasswordConfirmation", asked.Headers.Location!.AbsolutePath());
        var link = await portal.LinkSentToAsync("forgetful@acme.example");
        var reset = await client.SubmitFormAsync(link, "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = "forgetful@acme.example",
            ["Input.Password"] = "Replaced!Pass2",
            ["Input.ConfirmPassword"] = "Replaced!Pass2",
        });

        Assert.Equal("/Account/ResetPasswordConfirmation", reset.Headers.Location!.AbsolutePath());
        await client.SignInAsync("forgetful@acme.example", "Replaced!Pass2");
    }

    [Fact]
    public async Task AnUnknownAddressGetsTheSameAnswerAndNoEmail()
    {
        using var client = portal.CreatePortalClient();
        var before = (await portal.DeliverAndReadAsync()).Count;

        var asked = await client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = "nobody@nowhere.example" });

        Assert.Equal("/Account/ForgotPasswordConfirmation", asked.Headers.Location!.AbsolutePath());
        Assert.Equal(before, (await portal.DeliverAndReadAsync()).Count);
    }

    [Fact]
    public async Task AUserWhoTurnsOnAnAuthenticatorAppMustGiveItsCodeToSignIn()
    {
        const string password = "Two!Factor123";
        await portal.CreateUserAsync("twofactor@acme.example", password, Roles.Admin, customerId: null);
        using var client = portal.CreatePortalClient();
        await client.SignInAsync("twofactor@acme.example", password);

        var setup = await client.GetPageAsync("/Account/Manage/EnableAuthenticator");
        var key = KeyPattern().Match(setup).Groups["key"].Value;
        Assert.False(string.IsNullOrEmpty(key), "The page shows the shared key.");
        var enabled = await client.SubmitFormAsync("/Account/Manage/EnableAuthenticator", "send-code", new Dictionary<string, string> { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.Contains("recovery codes", PortalClient.Text(await enabled.Content.ReadAsStringAsync()), StringComparison.OrdinalIgnoreCase);

        using var fresh = portal.CreatePortalClient();
        var needsCode = await fresh.SubmitFormAsync("/Account/Login", "login", new Dictionary<string, string> { ["Input.Email"] = "twofactor@acme.example", ["Input.Password"] = password });
        Assert.Equal("/Account/LoginWith2fa", needsCode.Headers.Location!.AbsolutePath());
        var secondStep = needsCode.Headers.Location!.IsAbsoluteUri ? needsCode.Headers.Location.PathAndQuery : needsCode.Headers.Location.OriginalString;
        Assert.Equal(HttpStatusCode.Redirect, (await fresh.GetAsync("/admin/customers")).StatusCode);

        var wrong = await fresh.SubmitFormAsync(secondStep, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = "000000" == Totp.Code(key, DateTimeOffset.UtcNow) ? "111111" : "000000" });
        Assert.Contains("Invalid authenticator code", PortalClient.Text(await wrong.Content.ReadAsStringAsync()));
        var right = await fresh.SubmitFormAsync(secondStep, "login-with-2fa", new Dictionary<string, string> { ["Input.TwoFactorCode"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/admin/customers")).StatusCode);
    }

    [GeneratedRegex(@"<kbd>(?<key>[a-z2-7 ]+)</kbd>")]
    private static partial Regex KeyPattern();
}
