using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/LoginWithRecoveryCode: the second step of a two-factor sign-in with a recovery code instead of the app's.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class LoginWithRecoveryCodeTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/LoginWithRecoveryCode?ReturnUrl=%2Fapp%2Finvoices";

    /// <summary>A user with two-factor sign-in who has just given the right password in this browser; answers their recovery codes.</summary>
    private async Task<(ApplicationUser User, IReadOnlyList<string> Codes)> AfterThePasswordStepAsync()
    {
        var user = await CreateUserAsync("recovery");
        var (_, codes) = await EnableTwoFactorAsync(user);
        var result = await EarlierRequestAsync(signIn => signIn.PasswordSignInAsync(user.Email!, Password, isPersistent: false, lockoutOnFailure: true));
        Assert.True(result.RequiresTwoFactor);
        return (user, codes);
    }

    private Task<int> CodesLeftAsync(ApplicationUser user) =>
        WithUsersAsync(async users => await users.CountRecoveryCodesAsync((await users.FindByIdAsync(user.Id))!));

    [Fact]
    public void LoginWithRecoveryCode_reached_without_the_password_step_goes_to_the_sign_in_page()
    {
        Get<LoginWithRecoveryCode>(Address);

        Assert.Equal("Account/Login", Location);
    }

    [Fact]
    public async Task LoginWithRecoveryCode_after_the_password_step_asks_for_a_recovery_code()
    {
        await AfterThePasswordStepAsync();

        var page = Get<LoginWithRecoveryCode>(Address);

        Assert.Equal(Address, Location);
        Assert.Equal(["Recovery code verification"], Headings(page));
        Assert.Equal(["login-with-recovery-code"], FormNames<LoginWithRecoveryCode>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal("Input.RecoveryCode", Field(page, "Input.RecoveryCode").GetAttribute("name"));
        Assert.Equal("Recovery Code", LabelOf(page, "Input.RecoveryCode"));
    }

    [Fact]
    public async Task LoginWithRecoveryCode_with_a_recovery_code_signs_in_goes_to_the_return_url_and_uses_the_code_up()
    {
        var (user, codes) = await AfterThePasswordStepAsync();

        Post<LoginWithRecoveryCode>(Address, "login-with-recovery-code", new Dictionary<string, string> { ["Input.RecoveryCode"] = codes[0] });

        Assert.Equal("app/invoices", Location);
        Assert.True(SignsIn());
        Assert.Equal(codes.Count - 1, await CodesLeftAsync(user));
    }

    [Fact]
    public async Task LoginWithRecoveryCode_with_a_wrong_code_says_so_and_does_not_sign_in()
    {
        var (user, codes) = await AfterThePasswordStepAsync();

        var page = Post<LoginWithRecoveryCode>(Address, "login-with-recovery-code", new Dictionary<string, string> { ["Input.RecoveryCode"] = "WRONG-CODE" });

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Invalid recovery code entered."), StatusOf(page)));
        Assert.Equal(Address, Location);
        Assert.False(SignsIn());
        Assert.Equal(codes.Count, await CodesLeftAsync(user));
    }

    [Fact]
    public async Task LoginWithRecoveryCode_posted_empty_says_the_code_is_required_at_the_field()
    {
        await AfterThePasswordStepAsync();

        var page = Post<LoginWithRecoveryCode>(Address, "login-with-recovery-code", new Dictionary<string, string> { ["Input.RecoveryCode"] = "" });

        page.WaitForAssertion(() => Assert.Equal(["The Recovery Code field is required."], ErrorsAt(page, "Input.RecoveryCode")));
        Assert.False(SignsIn());
    }
}
