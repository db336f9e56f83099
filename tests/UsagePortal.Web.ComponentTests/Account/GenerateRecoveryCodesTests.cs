using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages.Manage;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage/GenerateRecoveryCodes: a new set of recovery codes, in place of the old, for a user with two-factor sign-in.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class GenerateRecoveryCodesTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/Manage/GenerateRecoveryCodes";

    private Task<bool> RedeemsAsync(ApplicationUser user, string code) =>
        WithUsersAsync(async users => (await users.RedeemTwoFactorRecoveryCodeAsync((await users.FindByIdAsync(user.Id))!, code)).Succeeded);

    [Fact]
    public async Task GenerateRecoveryCodes_warns_to_keep_them_safe_and_asks_in_the_generate_recovery_codes_form()
    {
        var user = await CreateUserAsync("codes");
        await EnableTwoFactorAsync(user);
        await SignInAsync(user);

        var page = Get<GenerateRecoveryCodes>(Address);

        Assert.Equal(Address, Location);
        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Generate two-factor authentication (2FA) recovery codes"], Headings(page, 2));
        var warning = page.Find(".notice-warning");
        Assert.Contains("Put these codes in a safe place.", warning.TextContent, StringComparison.Ordinal);
        Assert.Equal("Account/Manage/ResetAuthenticator", warning.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(["generate-recovery-codes"], FormNames<GenerateRecoveryCodes>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Empty(page.FindAll("code.recovery-code"));
    }

    [Fact]
    public async Task GenerateRecoveryCodes_shows_ten_new_codes_that_replace_the_old_ones()
    {
        var user = await CreateUserAsync("codes");
        var (_, oldCodes) = await EnableTwoFactorAsync(user);
        await SignInAsync(user);

        var page = Post<GenerateRecoveryCodes>(Address, "generate-recovery-codes");

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("code.recovery-code").Count));
        Assert.Equal(("success", "You have generated new recovery codes."), StatusOf(page));
        Assert.Equal(["Recovery codes"], Headings(page, 2));
        Assert.Empty(page.FindAll("form"));
        var shown = page.FindAll("code.recovery-code").Select(c => c.TextContent.Trim()).ToList();
        Assert.Empty(shown.Intersect(oldCodes));
        Assert.False(await RedeemsAsync(user, oldCodes[0]));
        Assert.True(await RedeemsAsync(user, shown[0]));
    }

    [Fact]
    public async Task GenerateRecoveryCodes_without_two_factor_on_goes_to_the_overview_saying_to_turn_it_on_first()
    {
        await SignInAsync(await CreateUserAsync("codes"));

        Get<GenerateRecoveryCodes>(Address);

        Assert.Equal("Account/Manage/TwoFactorAuthentication", Location);
        Assert.Equal("Error: Recovery codes come with two-factor sign-in; turn it on first.", StatusCarried());
    }

    [Fact]
    public void GenerateRecoveryCodes_of_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page()
    {
        SignInAsRemovedUser("removed-codes-1");

        Get<GenerateRecoveryCodes>(Address);

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-codes-1'.", StatusCarried());
    }
}
