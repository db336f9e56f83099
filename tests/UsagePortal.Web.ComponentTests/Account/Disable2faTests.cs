using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages.Manage;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage/Disable2fa: turning two-factor sign-in off, after a warning.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class Disable2faTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/Manage/Disable2fa";

    private async Task<ApplicationUser> SignedInWithTwoFactorAsync()
    {
        var user = await CreateUserAsync("disable");
        await EnableTwoFactorAsync(user);
        await SignInAsync(user);
        return user;
    }

    private Task<bool> TwoFactorEnabledAsync(ApplicationUser user) =>
        WithUsersAsync(async users => await users.GetTwoFactorEnabledAsync((await users.FindByIdAsync(user.Id))!));

    [Fact]
    public async Task Disable2fa_warns_that_only_2fa_is_turned_off_and_asks_in_the_disable_2fa_form()
    {
        await SignedInWithTwoFactorAsync();

        var page = Get<Disable2fa>(Address);

        Assert.Equal(Address, Location);
        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Disable two-factor authentication (2FA)"], Headings(page, 2));
        var warning = page.Find(".notice-warning");
        Assert.Contains("This action only disables 2FA.", warning.TextContent, StringComparison.Ordinal);
        Assert.Equal("Account/Manage/ResetAuthenticator", warning.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(["disable-2fa"], FormNames<Disable2fa>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal("Disable 2FA", page.Find("form button[type=submit]").TextContent.Trim());
    }

    [Fact]
    public async Task Disable2fa_turns_two_factor_off_and_goes_back_to_the_overview_saying_so()
    {
        var user = await SignedInWithTwoFactorAsync();

        Post<Disable2fa>(Address, "disable-2fa");

        Assert.Equal("Account/Manage/TwoFactorAuthentication", Location);
        Assert.Equal("2fa has been disabled. You can reenable 2fa when you setup an authenticator app", StatusCarried());
        Assert.False(await TwoFactorEnabledAsync(user));
    }

    [Fact]
    public async Task Disable2fa_reached_without_two_factor_on_goes_to_the_overview_saying_there_is_nothing_to_turn_off()
    {
        var user = await CreateUserAsync("disable");
        await SignInAsync(user);

        Get<Disable2fa>(Address);

        Assert.Equal("Account/Manage/TwoFactorAuthentication", Location);
        Assert.Equal("Error: Two-factor sign-in is not on for your account, so there is nothing to turn off.", StatusCarried());
    }

    [Fact]
    public void Disable2fa_of_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page()
    {
        SignInAsRemovedUser("removed-disable-1");

        Get<Disable2fa>(Address);

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-disable-1'.", StatusCarried());
    }
}
