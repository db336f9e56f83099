using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Customers;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/AcceptInvitation: an invited person chooses a password from the e-mailed link; a bad link greets nobody.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class AcceptInvitationTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Invalid = "This invitation link is invalid or has expired, or it was already used.";

    private sealed record Invited(string UserId, string Email, string Name, string Code)
    {
        public string Link => $"Account/AcceptInvitation?userId={Uri.EscapeDataString(UserId)}&code={Code}";
    }

    /// <summary>Invites a person of their own as an owner does, and makes a code like the e-mailed link's.</summary>
    private Task<Invited> InviteAsync() =>
        Host.WithServicesAsync(async services =>
        {
            var email = $"invited-{Guid.NewGuid():N}"[..20] + "@accounts.test";
            var name = "Ivy " + email[8..14];
            var invited = await services.GetRequiredService<Invitations>().InviteAsync(await Host.CustomerIdAsync(), email, name, Roles.CustomerMember, DemoSettings.CustomerEmail);
            Assert.True(invited.Succeeded);
            var users = services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            var token = await users.GeneratePasswordResetTokenAsync(user);
            return new Invited(user.Id, email, name, System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(token)));
        });

    private static Dictionary<string, string> Passwords(Invited invited, string password, string confirmation) => new()
    {
        ["Input.Code"] = invited.Code,
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = confirmation,
    };

    private Task<ApplicationUser> UserAsync(Invited invited) => StoredAsync(new ApplicationUser { Id = invited.UserId });

    private static void AssertGreetsNobody(IRenderedComponent<Microsoft.AspNetCore.Components.CascadingValue<Microsoft.AspNetCore.Http.HttpContext>> page, Invited? invited)
    {
        Assert.Equal(["Welcome"], Headings(page));
        Assert.Equal(Invalid, page.Find(".field-error[role=alert]").TextContent.Trim()[..Invalid.Length]);
        Assert.Empty(page.FindAll("form"));
        if (invited is not null)
        {
            Assert.DoesNotContain(invited.Email, page.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain(invited.Name, page.Markup, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AcceptInvitation_greets_the_invited_person_and_asks_for_a_password_in_the_accept_invitation_form()
    {
        var invited = await InviteAsync();

        var page = Get<AcceptInvitation>(invited.Link);

        Assert.Equal([$"Welcome, {invited.Name}"], Headings(page));
        Assert.Equal(invited.Email, page.Find("p strong").TextContent);
        Assert.Equal(["accept-invitation"], FormNames<AcceptInvitation>(page));
        var form = page.Find("form");
        AssertPostsWithAntiforgeryToken(form);
        Assert.Equal(invited.Code, form.QuerySelector("input[type=hidden][name='Input.Code']")!.GetAttribute("value"));
        foreach (var (id, label) in new[] { ("Input.Password", "Password"), ("Input.ConfirmPassword", "Confirm the password") })
        {
            var field = Field(page, id);
            Assert.Equal((id, "password", "new-password"), (field.GetAttribute("name"), field.GetAttribute("type"), field.GetAttribute("autocomplete")));
            Assert.Equal(label, LabelOf(page, id));
        }
    }

    [Fact]
    public async Task AcceptInvitation_with_a_made_up_code_says_the_link_is_invalid_and_greets_nobody()
    {
        var invited = await InviteAsync();

        var page = Get<AcceptInvitation>($"Account/AcceptInvitation?userId={invited.UserId}&code=AAAA{invited.Code}");

        AssertGreetsNobody(page, invited);
        Assert.Contains(page.FindAll("[role=alert] a"), a => a.GetAttribute("href") == "Account/Login");
        Assert.Contains(page.FindAll("[role=alert] a"), a => a.GetAttribute("href") == "Account/ForgotPassword");
    }

    [Theory]
    [InlineData("Account/AcceptInvitation")]
    [InlineData("Account/AcceptInvitation?userId=no-such-user&code=AAAA")]
    public void AcceptInvitation_without_a_real_users_link_says_the_link_is_invalid(string address)
    {
        var page = Get<AcceptInvitation>(address);

        AssertGreetsNobody(page, null);
    }

    [Fact]
    public async Task AcceptInvitation_sets_the_password_confirms_the_address_and_goes_to_sign_in_saying_so()
    {
        var invited = await InviteAsync();

        Post<AcceptInvitation>(invited.Link, "accept-invitation", Passwords(invited, Password, Password));

        Assert.Equal("Account/Login", Location);
        Assert.Equal("Your password is set. Sign in to continue.", StatusCarried());
        var user = await UserAsync(invited);
        Assert.True(user.EmailConfirmed);
        Assert.Null(user.InvitedAt);
        Assert.True(await WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByIdAsync(invited.UserId))!, Password)));
    }

    [Fact]
    public async Task AcceptInvitation_with_a_link_already_used_says_so_and_greets_nobody()
    {
        var invited = await InviteAsync();
        var accepted = await Host.WithServicesAsync(services => services.GetRequiredService<Invitations>().AcceptAsync(invited.UserId, invited.Code, Password));
        Assert.True(accepted.Succeeded);

        var page = Get<AcceptInvitation>(invited.Link);

        AssertGreetsNobody(page, invited);
    }

    [Fact]
    public async Task AcceptInvitation_with_a_password_too_short_says_so_at_the_password_and_keeps_the_invitation()
    {
        var invited = await InviteAsync();

        var page = Post<AcceptInvitation>(invited.Link, "accept-invitation", Passwords(invited, "Sh0rt!", "Sh0rt!"));

        page.WaitForAssertion(() => Assert.Equal(["The password must be at least 10 and at most 100 characters long."], ErrorsAt(page, "Input.Password")));
        Assert.Equal(invited.Link, Location);
        Assert.NotNull((await UserAsync(invited)).InvitedAt);
    }

    [Fact]
    public async Task AcceptInvitation_with_a_confirmation_that_differs_says_so_at_the_confirmation()
    {
        var invited = await InviteAsync();

        var page = Post<AcceptInvitation>(invited.Link, "accept-invitation", Passwords(invited, Password, Password + "x"));

        page.WaitForAssertion(() => Assert.Equal(["The two passwords do not match."], ErrorsAt(page, "Input.ConfirmPassword")));
        Assert.Empty(ErrorsAt(page, "Input.Password"));
        Assert.NotNull((await UserAsync(invited)).InvitedAt);
    }

    [Fact]
    public async Task AcceptInvitation_with_a_password_the_rules_refuse_says_why_and_keeps_the_invitation()
    {
        var invited = await InviteAsync();

        var page = Post<AcceptInvitation>(invited.Link, "accept-invitation", Passwords(invited, "onlysmallletters", "onlysmallletters"));

        page.WaitForAssertion(() => Assert.Equal("error", StatusOf(page)?.Kind));
        Assert.Contains("Passwords must have at least one digit ('0'-'9').", StatusOf(page)!.Value.Text, StringComparison.Ordinal);
        Assert.Equal(invited.Link, Location);
        Assert.Null(StatusCarried());
        Assert.NotNull((await UserAsync(invited)).InvitedAt);
    }
}
