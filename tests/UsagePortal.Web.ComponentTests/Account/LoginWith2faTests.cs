using Microsoft.AspNetCore.Identity;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/LoginWith2fa: the second step of a two-factor sign-in, after the password step only.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class LoginWith2faTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/LoginWith2fa?returnUrl=%2Fapp%2Fusage&rememberMe=False";

    /// <summary>A user with an authenticator app who has just given the right password in this browser; answers the app's key.</summary>
    private async Task<(ApplicationUser User, string Key)> AfterThePasswordStepAsync()
    {
        var user = await CreateUserAsync("twofactor");
        var (key, _) = await EnableTwoFactorAsync(user);
        var result = await EarlierRequestAsync(signIn => signIn.PasswordSignInAsync(user.Email!, Password, isPersistent: false, lockoutOnFailure: true));
        Assert.True(result.RequiresTwoFactor);
        return (user, key);
    }

    private static Dictionary<string, string> Code(string code) => new() { ["Input.TwoFactorCode"] = code, ["Input.RememberMachine"] = "false" };

    [Fact]
    public void LoginWith2fa_reached_without_the_password_step_goes_to_the_sign_in_page()
    {
        Get<LoginWith2fa>(Address);

        Assert.Equal("Account/Login", Location);
    }

    [Fact]
    public async Task LoginWith2fa_after_the_password_step_asks_for_the_authenticator_code_and_offers_a_recovery_code()
    {
        await AfterThePasswordStepAsync();

        var page = Get<LoginWith2fa>(Address);

        Assert.Equal(Address, Location);
        Assert.Equal(["Two-factor authentication"], Headings(page));
        Assert.Equal(["login-with-2fa"], FormNames<LoginWith2fa>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal("Input.TwoFactorCode", Field(page, "Input.TwoFactorCode").GetAttribute("name"));
        Assert.Equal("Authenticator code", LabelOf(page, "Input.TwoFactorCode"));
        Assert.Contains(page.FindAll("a"), a => a.GetAttribute("href") == "Account/LoginWithRecoveryCode?ReturnUrl=%2Fapp%2Fusage");
        Assert.False(SignsIn());
    }

    [Fact]
    public async Task LoginWith2fa_labels_the_remember_this_machine_checkbox()
    {
        await AfterThePasswordStepAsync();

        var page = Get<LoginWith2fa>(Address);

        var label = page.FindAll("label").Single(l => l.TextContent.Trim() == "Remember this machine");
        var checkbox = page.Find($"[id='{label.GetAttribute("for")}']");
        Assert.Equal(("checkbox", "Input.RememberMachine"), (checkbox.GetAttribute("type"), checkbox.GetAttribute("name")));
    }

    [Fact]
    public async Task LoginWith2fa_with_the_authenticator_code_signs_in_and_goes_to_the_return_url()
    {
        var (_, key) = await AfterThePasswordStepAsync();
        var code = Totp.Code(key, DateTimeOffset.UtcNow);

        // As an app shows it, in two groups of three.
        Post<LoginWith2fa>(Address, "login-with-2fa", Code($"{code[..3]} {code[3..]}"));

        Assert.Equal("app/usage", Location);
        Assert.True(SignsIn());
    }

    [Fact]
    public async Task LoginWith2fa_with_a_wrong_code_says_so_and_does_not_sign_in()
    {
        var (user, key) = await AfterThePasswordStepAsync();
        var wrong = ((int.Parse(Totp.Code(key, DateTimeOffset.UtcNow), System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

        var page = Post<LoginWith2fa>(Address, "login-with-2fa", Code(wrong));

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Invalid authenticator code."), StatusOf(page)));
        Assert.Equal(Address, Location);
        Assert.False(SignsIn());
        Assert.Equal(1, (await StoredAsync(user)).AccessFailedCount);
    }

    [Fact]
    public async Task LoginWith2fa_with_a_code_too_short_says_so_at_the_field()
    {
        await AfterThePasswordStepAsync();

        var page = Post<LoginWith2fa>(Address, "login-with-2fa", Code("123"));

        page.WaitForAssertion(() => Assert.Equal(["The Authenticator code must be at least 6 and at max 7 characters long."], ErrorsAt(page, "Input.TwoFactorCode")));
        Assert.Null(StatusOf(page));
        Assert.False(SignsIn());
    }

    [Fact]
    public async Task LoginWith2fa_needs_the_password_steps_cookie_not_just_a_signed_in_user()
    {
        // Signed in to the app already but without the two-factor step's cookie: nothing to finish here.
        await SignInAsync(await CreateUserAsync());

        Get<LoginWith2fa>(Address);

        Assert.Equal("Account/Login", Location);
        Assert.Null(ResponseCookie(IdentityConstants.TwoFactorUserIdScheme));
    }
}
