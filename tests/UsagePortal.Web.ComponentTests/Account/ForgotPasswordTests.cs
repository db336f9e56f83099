using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Domain.Email;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/ForgotPassword and its confirmation: a reset link goes to a confirmed account's address, and the answer never tells whether there is one.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed partial class ForgotPasswordTests(ComponentHost host) : AccountPageTest(host)
{
    private static Dictionary<string, string> Email(string email) => new() { ["Input.Email"] = email };

    /// <summary>The e-mails queued to <paramref name="address"/>.</summary>
    private Task<List<EmailMessage>> MailToAsync(string address) =>
        WithDbAsync(async db => (await db.OutboxMessages.AsNoTracking().Where(m => m.Payload.Contains(address)).ToListAsync())
            .Select(m => JsonSerializer.Deserialize<EmailMessage>(m.Payload)!)
            .Where(m => m.To == address)
            .ToList());

    [Fact]
    public void ForgotPassword_asks_for_the_email_in_the_forgot_password_form()
    {
        var page = Get<ForgotPassword>("Account/ForgotPassword");

        Assert.Equal(["Forgot your password?"], Headings(page));
        Assert.Equal(["forgot-password"], FormNames<ForgotPassword>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        var email = Field(page, "Input.Email");
        Assert.Equal(("Input.Email", "username"), (email.GetAttribute("name"), email.GetAttribute("autocomplete")));
        Assert.Equal("Email", LabelOf(page, "Input.Email"));
        Assert.Equal("Reset password", page.Find("form button[type=submit]").TextContent.Trim());
    }

    [Fact]
    public async Task ForgotPassword_for_a_confirmed_account_mails_a_reset_link_that_works_and_goes_to_the_confirmation()
    {
        var user = await CreateUserAsync("forgot");

        Post<ForgotPassword>("Account/ForgotPassword", "forgot-password", Email(user.Email!));

        Assert.Equal("Account/ForgotPasswordConfirmation", Location);
        var mail = Assert.Single(await MailToAsync(user.Email!));
        var link = new Uri(WebUtility.HtmlDecode(Link().Match(mail.HtmlBody).Groups["href"].Value));
        Assert.Equal("http://localhost/Account/ResetPassword", link.GetLeftPart(UriPartial.Path));
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query)["code"].ToString();
        var token = System.Text.Encoding.UTF8.GetString(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(code));
        Assert.True(await WithUsersAsync(async users => await users.VerifyUserTokenAsync(
            (await users.FindByIdAsync(user.Id))!, users.Options.Tokens.PasswordResetTokenProvider, UserManager<Data.Identity.ApplicationUser>.ResetPasswordTokenPurpose, token)));
    }

    [Fact]
    public async Task ForgotPassword_for_an_unknown_address_answers_the_same_and_mails_nothing()
    {
        var address = $"nobody-{Guid.NewGuid():N}@accounts.test";

        Post<ForgotPassword>("Account/ForgotPassword", "forgot-password", Email(address));

        Assert.Equal("Account/ForgotPasswordConfirmation", Location);
        Assert.Empty(await MailToAsync(address));
    }

    [Fact]
    public async Task ForgotPassword_for_an_unconfirmed_account_answers_the_same_and_mails_nothing()
    {
        var user = await CreateUserAsync("unconfirmed");
        await WithUsersAsync(async users =>
        {
            var stored = (await users.FindByIdAsync(user.Id))!;
            stored.EmailConfirmed = false;
            return await users.UpdateAsync(stored);
        });

        Post<ForgotPassword>("Account/ForgotPassword", "forgot-password", Email(user.Email!));

        Assert.Equal("Account/ForgotPasswordConfirmation", Location);
        Assert.Empty(await MailToAsync(user.Email!));
    }

    [Fact]
    public void ForgotPassword_posted_with_something_that_is_not_an_address_says_so_at_the_field()
    {
        var page = Post<ForgotPassword>("Account/ForgotPassword", "forgot-password", Email("not-an-address"));

        page.WaitForAssertion(() => Assert.Equal(["The Email field is not a valid e-mail address."], ErrorsAt(page, "Input.Email")));
        Assert.Equal("Account/ForgotPassword", Location);
    }

    [Fact]
    public void ForgotPasswordConfirmation_tells_to_look_in_the_mailbox()
    {
        var page = Get<ForgotPasswordConfirmation>("Account/ForgotPasswordConfirmation");

        Assert.Equal(["Forgot password confirmation"], Headings(page));
        Assert.Equal("Please check your email to reset your password.", page.Find("[role=alert]").TextContent.Trim());
        Assert.Empty(page.FindAll("form"));
    }

    [GeneratedRegex("href=\"(?<href>[^\"]+)\"")]
    private static partial Regex Link();
}
