using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages.Manage;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage/ResetAuthenticator: a new authenticator key, which turns two-factor sign-in off until the app is set up again.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class ResetAuthenticatorTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/Manage/ResetAuthenticator";

    private Task<(string? Key, bool Enabled)> AuthenticatorAsync(ApplicationUser user) =>
        WithUsersAsync(async users =>
        {
            var stored = (await users.FindByIdAsync(user.Id))!;
            return (await users.GetAuthenticatorKeyAsync(stored), await users.GetTwoFactorEnabledAsync(stored));
        });

    [Fact]
    public async Task ResetAuthenticator_warns_that_the_app_stops_working_and_asks_in_the_reset_authenticator_form()
    {
        var user = await CreateUserAsync("resetkey");
        await EnableTwoFactorAsync(user);
        await SignInAsync(user);

        var page = Get<ResetAuthenticator>(Address);

        Assert.Equal(Address, Location);
        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Reset authenticator key"], Headings(page, 2));
        Assert.Contains("your authenticator app will not work until you reconfigure it", page.Find(".notice-warning").TextContent, StringComparison.Ordinal);
        Assert.Equal(["reset-authenticator"], FormNames<ResetAuthenticator>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal("Reset authenticator key", page.Find("form button[type=submit]").TextContent.Trim());
    }

    [Fact]
    public async Task ResetAuthenticator_gives_a_new_key_turns_two_factor_off_and_goes_to_set_up_the_app_again()
    {
        var user = await CreateUserAsync("resetkey");
        var (oldKey, _) = await EnableTwoFactorAsync(user);
        await SignInAsync(user);

        Post<ResetAuthenticator>(Address, "reset-authenticator");

        Assert.Equal("Account/Manage/EnableAuthenticator", Location);
        Assert.Equal("Your authenticator app key has been reset, you will need to configure your authenticator app using the new key.", StatusCarried());
        var (key, enabled) = await AuthenticatorAsync(user);
        Assert.False(enabled);
        Assert.NotNull(key);
        Assert.NotEqual(oldKey, key);
        Assert.True(SignsIn());
    }

    [Fact]
    public void ResetAuthenticator_for_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page()
    {
        SignInAsRemovedUser("removed-resetkey-1");

        Post<ResetAuthenticator>(Address, "reset-authenticator");

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-resetkey-1'.", StatusCarried());
    }
}
