using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/ResetPassword and where it leads: the e-mailed link's code sets a new password; a link without one is refused.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class ResetPasswordTests(ComponentHost host) : AccountPageTest(host)
{
    private const string NewPassword = "Brand!NewPassword7";

    /// <summary>The code of a reset link for <paramref name="user"/>, as ForgotPassword mails it (base64url of the token).</summary>
    private Task<(string Token, string Code)> ResetCodeAsync(ApplicationUser user) =>
        WithUsersAsync<(string, string)>(async users =>
        {
            var token = await users.GeneratePasswordResetTokenAsync((await users.FindByIdAsync(user.Id))!);
            return (token, WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token)));
        });

    private static Dictionary<string, string> Fields(string email, string token, string password, string confirmation) => new()
    {
        ["Input.Email"] = email,
        ["Input.Code"] = token,
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = confirmation,
    };

    private Task<bool> HasPasswordAsync(ApplicationUser user, string password) =>
        WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByIdAsync(user.Id))!, password));

    [Fact]
    public void ResetPassword_without_a_code_goes_to_the_invalid_link_page()
    {
        Get<ResetPassword>("Account/ResetPassword");

        Assert.Equal("Account/InvalidPasswordReset", Location);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("not*base64")]
    public void ResetPassword_with_a_damaged_code_goes_to_the_invalid_link_page(string code)
    {
        Get<ResetPassword>($"Account/ResetPassword?code={Uri.EscapeDataString(code)}");

        Assert.Equal("Account/InvalidPasswordReset", Location);
    }

    [Fact]
    public async Task ResetPassword_carries_the_links_token_in_the_reset_password_form_with_the_email_and_new_password_fields()
    {
        var (token, code) = await ResetCodeAsync(await CreateUserAsync("reset"));

        var page = Get<ResetPassword>($"Account/ResetPassword?code={code}");

        Assert.Equal($"Account/ResetPassword?code={code}", Location);
        Assert.Equal(["Reset password"], Headings(page));
        Assert.Equal(["reset-password"], FormNames<ResetPassword>(page));
        var form = page.Find("form");
        AssertPostsWithAntiforgeryToken(form);
        Assert.Equal(token, form.QuerySelector("input[type=hidden][name='Input.Code']")!.GetAttribute("value"));
        Assert.Equal(("Input.Email", "Email"), (Field(page, "Input.Email").GetAttribute("name"), LabelOf(page, "Input.Email")));
        Assert.Equal(("Input.Password", "password", "new-password"), (Field(page, "Input.Password").GetAttribute("name"), Field(page, "Input.Password").GetAttribute("type"), Field(page, "Input.Password").GetAttribute("autocomplete")));
        Assert.Equal(("Input.ConfirmPassword", "password"), (Field(page, "Input.ConfirmPassword").GetAttribute("name"), Field(page, "Input.ConfirmPassword").GetAttribute("type")));
        Assert.Equal("Confirm password", LabelOf(page, "Input.ConfirmPassword"));
    }

    [Fact]
    public async Task ResetPassword_with_the_links_code_sets_the_new_password_and_goes_to_the_confirmation()
    {
        var user = await CreateUserAsync("reset");
        var (token, code) = await ResetCodeAsync(user);

        Post<ResetPassword>($"Account/ResetPassword?code={code}", "reset-password", Fields(user.Email!, token, NewPassword, NewPassword));

        Assert.Equal("Account/ResetPasswordConfirmation", Location);
        Assert.True(await HasPasswordAsync(user, NewPassword));
        Assert.False(await HasPasswordAsync(user, Password));
    }

    [Fact]
    public async Task ResetPassword_with_a_code_that_is_not_the_users_says_the_token_is_invalid_and_keeps_the_password()
    {
        var user = await CreateUserAsync("reset");
        var forged = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes("forged-token"));

        var page = Post<ResetPassword>($"Account/ResetPassword?code={forged}", "reset-password", Fields(user.Email!, "forged-token", NewPassword, NewPassword));

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Invalid token."), StatusOf(page)));
        Assert.Equal($"Account/ResetPassword?code={forged}", Location);
        Assert.True(await HasPasswordAsync(user, Password));
    }

    [Fact]
    public async Task ResetPassword_for_an_unknown_address_answers_like_a_reset_without_telling()
    {
        var (token, code) = await ResetCodeAsync(await CreateUserAsync("reset"));

        Post<ResetPassword>($"Account/ResetPassword?code={code}", "reset-password", Fields($"nobody-{Guid.NewGuid():N}@accounts.test", token, NewPassword, NewPassword));

        Assert.Equal("Account/ResetPasswordConfirmation", Location);
    }

    [Fact]
    public async Task ResetPassword_with_a_confirmation_that_differs_says_so_at_the_confirmation_and_keeps_the_password()
    {
        var user = await CreateUserAsync("reset");
        var (token, code) = await ResetCodeAsync(user);

        var page = Post<ResetPassword>($"Account/ResetPassword?code={code}", "reset-password", Fields(user.Email!, token, NewPassword, NewPassword + "x"));

        page.WaitForAssertion(() => Assert.Equal(["The password and confirmation password do not match."], ErrorsAt(page, "Input.ConfirmPassword")));
        Assert.Empty(ErrorsAt(page, "Input.Password"));
        Assert.True(await HasPasswordAsync(user, Password));
    }

    [Fact]
    public async Task ResetPassword_with_a_password_too_short_says_so_at_the_password()
    {
        var user = await CreateUserAsync("reset");
        var (token, code) = await ResetCodeAsync(user);

        var page = Post<ResetPassword>($"Account/ResetPassword?code={code}", "reset-password", Fields(user.Email!, token, "Sh0rt!", "Sh0rt!"));

        page.WaitForAssertion(() => Assert.Equal(["The Password must be at least 10 and at max 100 characters long."], ErrorsAt(page, "Input.Password")));
        Assert.Equal("Account/ResetPassword?code=" + code, Location);
        Assert.True(await HasPasswordAsync(user, Password));
    }

    [Fact]
    public void ResetPasswordConfirmation_says_the_password_is_reset_and_links_to_sign_in()
    {
        var page = Get<ResetPasswordConfirmation>("Account/ResetPasswordConfirmation");

        Assert.Equal(["Reset password confirmation"], Headings(page));
        var alert = page.Find("[role=alert]");
        Assert.StartsWith("Your password has been reset.", alert.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("Account/Login", alert.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void InvalidPasswordReset_says_the_link_is_invalid()
    {
        var page = Get<InvalidPasswordReset>("Account/InvalidPasswordReset");

        Assert.Equal(["Invalid password reset"], Headings(page));
        Assert.Equal("The password reset link is invalid.", page.Find("[role=alert]").TextContent.Trim());
        Assert.Empty(page.FindAll("form"));
    }
}
