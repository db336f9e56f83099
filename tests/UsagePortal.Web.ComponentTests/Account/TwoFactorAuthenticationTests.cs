using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages.Manage;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage/TwoFactorAuthentication: where the user's two-factor sign-in stands and what they can do about it.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class TwoFactorAuthenticationTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/Manage/TwoFactorAuthentication";

    private static IReadOnlyList<string> Links(IRenderedComponent<Microsoft.AspNetCore.Components.CascadingValue<Microsoft.AspNetCore.Http.HttpContext>> page) =>
        [.. page.FindAll("a.button").Select(a => $"{a.TextContent.Trim()} -> {a.GetAttribute("href")}")];

    private static string? RecoveryCodesNotice(IRenderedComponent<Microsoft.AspNetCore.Components.CascadingValue<Microsoft.AspNetCore.Http.HttpContext>> page) =>
        page.FindAll(".notice strong").Select(s => s.TextContent.Trim()).SingleOrDefault(t => t.Contains("recovery code", StringComparison.Ordinal));

    /// <summary>A signed-in user with two-factor sign-in on and <paramref name="codesLeft"/> of their ten recovery codes unused.</summary>
    private async Task<ApplicationUser> SignedInWithTwoFactorAsync(int codesLeft = 10)
    {
        var user = await CreateUserAsync("twofactor");
        var (_, codes) = await EnableTwoFactorAsync(user);
        await WithUsersAsync(async users =>
        {
            foreach (var code in codes.Skip(codesLeft))
            {
                Assert.True((await users.RedeemTwoFactorRecoveryCodeAsync((await users.FindByIdAsync(user.Id))!, code)).Succeeded);
            }

            return true;
        });
        await SignInAsync(user);
        return user;
    }

    [Fact]
    public async Task TwoFactorAuthentication_without_it_offers_to_add_an_authenticator_app_only()
    {
        await SignInAsync(await CreateUserAsync("twofactor"));

        var page = Get<TwoFactorAuthentication>(Address);

        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Two-factor authentication (2FA)"], Headings(page, 2));
        Assert.Equal("Two-factor authentication", page.Find("nav[aria-label='Account settings'] a.active").TextContent.Trim());
        Assert.Equal(["Add authenticator app -> Account/Manage/EnableAuthenticator"], Links(page));
        Assert.Null(RecoveryCodesNotice(page));
        Assert.Empty(page.FindAll("form"));
    }

    [Fact]
    public async Task TwoFactorAuthentication_with_it_on_offers_to_turn_it_off_renew_the_codes_and_set_up_or_reset_the_app()
    {
        await SignedInWithTwoFactorAsync();

        var page = Get<TwoFactorAuthentication>(Address);

        Assert.Equal(
        [
            "Disable 2FA -> Account/Manage/Disable2fa",
            "Reset recovery codes -> Account/Manage/GenerateRecoveryCodes",
            "Set up authenticator app -> Account/Manage/EnableAuthenticator",
            "Reset authenticator app -> Account/Manage/ResetAuthenticator",
        ], Links(page));
        Assert.Null(RecoveryCodesNotice(page));
        // This browser is not remembered, so there is nothing to forget.
        Assert.Empty(page.FindAll("form"));
    }

    [Theory]
    [InlineData(3, "You have 3 recovery codes left.")]
    [InlineData(1, "You have 1 recovery code left.")]
    [InlineData(0, "You have no recovery codes left.")]
    public async Task TwoFactorAuthentication_says_how_many_recovery_codes_are_left_when_few_are(int left, string notice)
    {
        await SignedInWithTwoFactorAsync(codesLeft: left);

        var page = Get<TwoFactorAuthentication>(Address);

        Assert.Equal(notice, RecoveryCodesNotice(page));
        Assert.Contains(page.FindAll(".notice a"), a => a.GetAttribute("href") == "Account/Manage/GenerateRecoveryCodes");
    }

    [Fact]
    public async Task TwoFactorAuthentication_without_consent_to_cookies_says_it_needs_it_and_offers_nothing()
    {
        await SignedInWithTwoFactorAsync();
        Context.Features.Set<ITrackingConsentFeature>(new NoConsent());

        var page = Get<TwoFactorAuthentication>(Address);

        Assert.Contains("Privacy and cookie policy have not been accepted.", page.Find(".notice-error").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("a.button"));
    }

    [Fact]
    public async Task TwoFactorAuthentication_forgets_a_remembered_browser_and_says_so()
    {
        var user = await SignedInWithTwoFactorAsync();
        await EarlierRequestAsync(async signIn =>
        {
            await signIn.RememberTwoFactorClientAsync((await signIn.UserManager.FindByIdAsync(user.Id))!);
            return true;
        });
        var page = Get<TwoFactorAuthentication>(Address);
        Assert.Equal(["forget-browser"], FormNames<TwoFactorAuthentication>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal("Forget this browser", page.Find("form button[type=submit]").TextContent.Trim());

        Post<TwoFactorAuthentication>(Address, "forget-browser");

        Assert.Equal(Address, Location);
        Assert.Equal("The current browser has been forgotten. When you login again from this browser you will be prompted for your 2fa code.", StatusCarried());
        Assert.True(IsDeletion(ResponseCookie(IdentityConstants.TwoFactorRememberMeScheme)!));
    }

    [Fact]
    public async Task TwoFactorAuthentication_shows_the_status_message_the_previous_page_left()
    {
        await SignInAsync(await CreateUserAsync("twofactor"));
        SendCookie(StatusCookie, "Error: Two-factor sign-in is not on for your account, so there is nothing to turn off.");

        var page = Get<TwoFactorAuthentication>(Address);

        Assert.Equal(("error", "Error: Two-factor sign-in is not on for your account, so there is nothing to turn off."), StatusOf(page));
    }

    [Fact]
    public void TwoFactorAuthentication_of_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page()
    {
        SignInAsRemovedUser("removed-2fa-1");

        Get<TwoFactorAuthentication>(Address);

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-2fa-1'.", StatusCarried());
    }

    private sealed class NoConsent : ITrackingConsentFeature
    {
        public bool IsConsentNeeded => true;

        public bool HasConsent => false;

        public bool CanTrack => false;

        public string CreateConsentCookie() => "";

        public void GrantConsent()
        {
        }

        public void WithdrawConsent()
        {
        }
    }
}
