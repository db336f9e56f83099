using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Account.Pages.Manage;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage/ChangePassword: the current password is needed to set a new one.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class ChangePasswordTests(ComponentHost host) : AccountPageTest(host)
{
    private const string Address = "Account/Manage/ChangePassword";
    private const string NewPassword = "Changed!Password5";

    private static Dictionary<string, string> Fields(string old, string password, string confirmation) => new()
    {
        ["Input.OldPassword"] = old,
        ["Input.NewPassword"] = password,
        ["Input.ConfirmPassword"] = confirmation,
    };

    private async Task<ApplicationUser> SignedInAsync()
    {
        var user = await CreateUserAsync("password");
        await SignInAsync(user);
        return user;
    }

    private Task<bool> HasPasswordAsync(ApplicationUser user, string password) =>
        WithUsersAsync(async users => await users.CheckPasswordAsync((await users.FindByIdAsync(user.Id))!, password));

    [Fact]
    public async Task ChangePassword_asks_for_the_old_and_the_new_password_twice_in_the_change_password_form()
    {
        await SignedInAsync();

        var page = Get<ChangePassword>(Address);

        Assert.Equal(Address, Location);
        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Change password"], Headings(page, 2));
        Assert.Equal("Password", page.Find("nav[aria-label='Account settings'] a.active").TextContent.Trim());
        Assert.Equal(["change-password"], FormNames<ChangePassword>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        foreach (var (id, label, autocomplete) in new[]
        {
            ("Input.OldPassword", "Old password", "current-password"),
            ("Input.NewPassword", "New password", "new-password"),
            ("Input.ConfirmPassword", "Confirm password", "new-password"),
        })
        {
            var field = Field(page, id);
            Assert.Equal((id, "password", autocomplete), (field.GetAttribute("name"), field.GetAttribute("type"), field.GetAttribute("autocomplete")));
            Assert.Equal(label, LabelOf(page, id));
        }
    }

    [Fact]
    public async Task ChangePassword_with_the_right_old_password_changes_it_and_comes_back_saying_so()
    {
        var user = await SignedInAsync();

        Post<ChangePassword>(Address, "change-password", Fields(Password, NewPassword, NewPassword));

        Assert.Equal(Address, Location);
        Assert.Equal("Your password has been changed", StatusCarried());
        Assert.True(await HasPasswordAsync(user, NewPassword));
        Assert.False(await HasPasswordAsync(user, Password));
        // This session stays signed in (its cookie is issued again with the new security stamp).
        Assert.True(SignsIn());
    }

    [Fact]
    public async Task ChangePassword_with_a_wrong_old_password_says_so_and_keeps_the_password()
    {
        var user = await SignedInAsync();

        var page = Post<ChangePassword>(Address, "change-password", Fields("Wrong!Password9", NewPassword, NewPassword));

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Incorrect password."), StatusOf(page)));
        Assert.Null(StatusCarried());
        Assert.True(await HasPasswordAsync(user, Password));
    }

    [Fact]
    public async Task ChangePassword_with_a_confirmation_that_differs_says_so_at_the_confirmation()
    {
        var user = await SignedInAsync();

        var page = Post<ChangePassword>(Address, "change-password", Fields(Password, NewPassword, NewPassword + "x"));

        page.WaitForAssertion(() => Assert.Equal(["The new password and confirmation password do not match."], ErrorsAt(page, "Input.ConfirmPassword")));
        Assert.Empty(ErrorsAt(page, "Input.NewPassword"));
        Assert.True(await HasPasswordAsync(user, Password));
    }

    [Fact]
    public async Task ChangePassword_posted_empty_names_the_missing_passwords_and_one_too_short()
    {
        await SignedInAsync();

        var page = Post<ChangePassword>(Address, "change-password", Fields("", "Sh0rt!", "Sh0rt!"));

        page.WaitForAssertion(() => Assert.Equal(["The Current password field is required."], ErrorsAt(page, "Input.OldPassword")));
        Assert.Equal(["The New password must be at least 10 and at max 100 characters long."], ErrorsAt(page, "Input.NewPassword"));
    }

    [Fact]
    public async Task ChangePassword_of_an_account_without_a_password_sends_to_a_reset_link_instead()
    {
        var user = await Host.WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var email = $"nopassword-{Guid.NewGuid():N}"[..23] + "@accounts.test";
            var created = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "No Password", CustomerId = await Host.CustomerIdAsync(), CreatedAt = DateTime.UtcNow };
            Assert.True((await users.CreateAsync(created)).Succeeded);
            return created;
        });
        await SignInAsync(user);

        Get<ChangePassword>(Address);

        Assert.Equal("Account/ForgotPassword", Location);
        Assert.Equal("Error: This account has no password yet; ask for a reset link.", StatusCarried());
    }

    [Fact]
    public void ChangePassword_of_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page()
    {
        SignInAsRemovedUser("removed-password-1");

        Get<ChangePassword>(Address);

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-password-1'.", StatusCarried());
    }
}
