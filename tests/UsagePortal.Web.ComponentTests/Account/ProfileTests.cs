using UsagePortal.Data.Identity;
using Profile = UsagePortal.Web.Components.Account.Pages.Manage.Index;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Manage (the Index page): the signed-in user's name and phone number, under the account settings' heading and menu.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class ProfileTests(ComponentHost host) : AccountPageTest(host)
{
    private async Task<ApplicationUser> SignedInWithPhoneAsync(string phone)
    {
        var user = await CreateUserAsync("profile");
        await WithUsersAsync(async users => await users.SetPhoneNumberAsync((await users.FindByIdAsync(user.Id))!, phone));
        await SignInAsync(user);
        return user;
    }

    private static Dictionary<string, string> Phone(string phone) => new() { ["Input.PhoneNumber"] = phone };

    [Fact]
    public async Task Profile_shows_the_signed_in_users_name_and_phone_in_the_profile_form_under_the_account_settings()
    {
        var user = await SignedInWithPhoneAsync("+1 555 0100");

        var page = Get<Profile>("Account/Manage");

        Assert.Equal(["Your account"], Headings(page));
        Assert.Equal(["Profile"], Headings(page, 2));
        Assert.Equal(["Profile", "Password", "Two-factor authentication"], page.FindAll("nav[aria-label='Account settings'] a").Select(a => a.TextContent.Trim()));
        Assert.Equal("Profile", page.Find("nav[aria-label='Account settings'] a.active").TextContent.Trim());
        var username = page.Find("#username");
        Assert.Equal(user.Email, username.GetAttribute("value"));
        Assert.True(username.HasAttribute("disabled"));
        Assert.Equal("Username", LabelOf(page, "username"));
        Assert.Equal(("Input.PhoneNumber", "+1 555 0100"), (Field(page, "Input.PhoneNumber").GetAttribute("name"), Field(page, "Input.PhoneNumber").GetAttribute("value")));
        Assert.Equal("Phone number", LabelOf(page, "Input.PhoneNumber"));
        Assert.Equal(["profile"], FormNames<Profile>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
    }

    [Fact]
    public void Profile_of_an_account_removed_since_it_signed_in_goes_to_the_account_not_found_page_with_its_id()
    {
        SignInAsRemovedUser("removed-profile-1");

        Get<Profile>("Account/Manage");

        Assert.Equal("Account/InvalidUser", Location);
        Assert.Equal("Error: Unable to load user with ID 'removed-profile-1'.", StatusCarried());
    }

    [Fact]
    public async Task Profile_saves_a_new_phone_number_and_comes_back_saying_so()
    {
        var user = await SignedInWithPhoneAsync("+1 555 0100");

        Post<Profile>("Account/Manage", "profile", Phone("+44 20 7946 0000"));

        Assert.Equal("Account/Manage", Location);
        Assert.Equal("Your profile has been updated", StatusCarried());
        Assert.Equal("+44 20 7946 0000", (await StoredAsync(user)).PhoneNumber);
        // The sign-in cookie is issued again, with the account as it is now.
        Assert.True(SignsIn());
    }

    [Fact]
    public async Task Profile_with_something_that_is_not_a_phone_number_says_so_at_the_field_and_keeps_the_old_one()
    {
        var user = await SignedInWithPhoneAsync("+1 555 0100");

        var page = Post<Profile>("Account/Manage", "profile", Phone("call me maybe"));

        page.WaitForAssertion(() => Assert.Equal(["The Phone number field is not a valid phone number."], ErrorsAt(page, "Input.PhoneNumber")));
        Assert.Equal("Account/Manage", Location);
        Assert.Null(StatusCarried());
        Assert.Equal("+1 555 0100", (await StoredAsync(user)).PhoneNumber);
    }

    [Fact]
    public async Task Profile_shows_the_status_message_its_save_left()
    {
        await SignedInWithPhoneAsync("+1 555 0100");
        SendCookie(StatusCookie, "Your profile has been updated");

        var page = Get<Profile>("Account/Manage");

        Assert.Equal(("success", "Your profile has been updated"), StatusOf(page));
    }
}
