using System.Globalization;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages.Manage;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage/EnableAuthenticator: the key for the app, and the app's code that turns two-factor sign-in on.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class EnableAuthenticatorTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/Manage/EnableAuthenticator";

    /// <summary>A signed-in user whose authenticator key is set (not yet verified); answers it.</summary>
    private async Task<(ApplicationUser User, string Key)> SignedInWithAKeyAsync()
    {
        var user = await CreateUserAsync("authenticator");
        var key = await WithUsersAsync(async users =>
        {
            var stored = (await users.FindByIdAsync(user.Id))!;
            await users.ResetAuthenticatorKeyAsync(stored);
            return (await users.GetAuthenticatorKeyAsync(stored))!;
        });
        await SignInAsync(user);
        return (user, key);
    }

    private static Dictionary<string, string> Code(string code) => new() { ["Input.Code"] = code };

    private Task<(bool Enabled, int CodesLeft)> TwoFactorAsync(ApplicationUser user) =>
        WithUsersAsync(async users =>
        {
            var stored = (await users.FindByIdAsync(user.Id))!;
            return (await users.GetTwoFactorEnabledAsync(stored), await users.CountRecoveryCodesAsync(stored));
        });

    private static string WrongCode(string key) =>
        ((int.Parse(Totp.Code(key, DateTimeOffset.UtcNow), CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);

    [Fact]
    public async Task EnableAuthenticator_gives_a_new_key_to_type_or_open_and_asks_for_the_apps_code_in_the_send_code_form()
    {
        var user = await CreateUserAsync("authenticator");
        await SignInAsync(user);

        var page = Get<EnableAuthenticator>(Address);

        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Configure authenticator app"], Headings(page, 2));
        var key = await WithUsersAsync(async users => await users.GetAuthenticatorKeyAsync((await users.FindByIdAsync(user.Id))!));
        Assert.NotNull(key);
        var shown = page.Find("kbd").TextContent;
        Assert.Equal(key, shown.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant());
        Assert.All(shown.Split(' ')[..^1], group => Assert.Equal(4, group.Length));
        var link = new Uri(page.FindAll("a").Single(a => a.GetAttribute("href")!.StartsWith("otpauth:", StringComparison.Ordinal)).GetAttribute("href")!);
        Assert.Equal("totp", link.Host);
        Assert.EndsWith($":{user.Email}", Uri.UnescapeDataString(link.AbsolutePath), StringComparison.Ordinal);
        Assert.Contains($"secret={key}", link.Query, StringComparison.Ordinal);
        Assert.Contains("digits=6", link.Query, StringComparison.Ordinal);
        // Authenticator apps list the account under the product's name, not the framework's.
        Assert.Equal("UsagePortal:" + user.Email, Uri.UnescapeDataString(link.AbsolutePath).TrimStart('/'));
        Assert.Contains("issuer=UsagePortal", link.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("QR code", page.Markup, StringComparison.Ordinal);
        Assert.Equal(["send-code"], FormNames<EnableAuthenticator>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal("Input.Code", Field(page, "Input.Code").GetAttribute("name"));
        Assert.Equal("Verification Code", LabelOf(page, "Input.Code"));
        Assert.Equal((false, 0), await TwoFactorAsync(user));
    }

    [Fact]
    public async Task EnableAuthenticator_keeps_the_key_already_given_until_it_is_verified()
    {
        var (_, key) = await SignedInWithAKeyAsync();

        var page = Get<EnableAuthenticator>(Address);

        Assert.Equal(key, page.Find("kbd").TextContent.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant());
    }

    [Fact]
    public async Task EnableAuthenticator_with_the_apps_code_turns_two_factor_on_and_shows_ten_new_recovery_codes()
    {
        var (user, key) = await SignedInWithAKeyAsync();

        var page = Post<EnableAuthenticator>(Address, "send-code", Code(Totp.Code(key, DateTimeOffset.UtcNow)));

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("code.recovery-code").Count));
        Assert.Equal(("success", "Your authenticator app has been verified."), StatusOf(page));
        Assert.Equal(["Recovery codes"], Headings(page, 2));
        Assert.Empty(page.FindAll("form"));
        Assert.Equal((true, 10), await TwoFactorAsync(user));
        // The codes shown are the user's: one of them redeems.
        var shown = page.FindAll("code.recovery-code").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(10, shown.Distinct().Count());
        Assert.True(await WithUsersAsync(async users => (await users.RedeemTwoFactorRecoveryCodeAsync((await users.FindByIdAsync(user.Id))!, shown[3])).Succeeded));
    }

    [Fact]
    public async Task EnableAuthenticator_for_a_user_who_has_recovery_codes_goes_back_to_the_overview_saying_the_app_is_verified()
    {
        var user = await CreateUserAsync("authenticator");
        var (key, _) = await EnableTwoFactorAsync(user);
        await SignInAsync(user);

        Post<EnableAuthenticator>(Address, "send-code", Code(Totp.Code(key, DateTimeOffset.UtcNow)));

        Assert.Equal("Account/Manage/TwoFactorAuthentication", Location);
        Assert.Equal("Your authenticator app has been verified.", StatusCarried());
        Assert.Equal((true, 10), await TwoFactorAsync(user));
    }

    [Fact]
    public async Task EnableAuthenticator_with_a_wrong_code_says_so_and_leaves_two_factor_off()
    {
        var (user, key) = await SignedInWithAKeyAsync();

        var page = Post<EnableAuthenticator>(Address, "send-code", Code(WrongCode(key)));

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Verification code is invalid."), StatusOf(page)));
        Assert.Empty(page.FindAll("code.recovery-code"));
        Assert.Equal((false, 0), await TwoFactorAsync(user));
    }

    [Fact]
    public async Task EnableAuthenticator_with_a_code_too_short_says_so_at_the_field()
    {
        var (user, _) = await SignedInWithAKeyAsync();

        var page = Post<EnableAuthenticator>(Address, "send-code", Code("123"));

        page.WaitForAssertion(() => Assert.Equal(["The Verification Code must be at least 6 and at max 7 characters long."], ErrorsAt(page, "Input.Code")));
        Assert.Equal((false, 0), await TwoFactorAsync(user));
    }

    [Fact]
    public void EnableAuthenticator_of_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page()
    {
        SignInAsRemovedUser("removed-authenticator-1");

        Get<EnableAuthenticator>(Address);

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-authenticator-1'.", StatusCarried());
    }
}
