using Microsoft.AspNetCore.Identity;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>/Account/Login: the sign-in form, where a signed-in user is sent on, and what each outcome of a sign-in leads to.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class LoginTests(ComponentHost host) : AccountPageTest(host)
{
    private static Dictionary<string, string> Fields(string email, string password, bool rememberMe = false) => new()
    {
        ["Input.Email"] = email,
        ["Input.Password"] = password,
        ["Input.RememberMe"] = rememberMe ? "true" : "false",
    };

    [Fact]
    public void Login_shows_email_password_and_remember_me_fields_and_posts_to_the_login_form()
    {
        var page = Get<Login>("Account/Login");

        Assert.Equal(["Sign in"], Headings(page));
        Assert.Equal(["login"], FormNames<Login>(page));
        AssertPostsWithAntiforgeryToken(page.Find("form"));
        Assert.Equal(("Input.Email", "username"), (Field(page, "Input.Email").GetAttribute("name"), Field(page, "Input.Email").GetAttribute("autocomplete")));
        Assert.Equal("E-mail", LabelOf(page, "Input.Email"));
        var password = Field(page, "Input.Password");
        Assert.Equal(("Input.Password", "password", "current-password"), (password.GetAttribute("name"), password.GetAttribute("type"), password.GetAttribute("autocomplete")));
        Assert.Equal("Password", LabelOf(page, "Input.Password"));
        var rememberMe = Field(page, "Input.RememberMe");
        Assert.Equal(("Input.RememberMe", "checkbox"), (rememberMe.GetAttribute("name"), rememberMe.GetAttribute("type")));
        Assert.Equal("Keep me signed in", LabelOf(page, "Input.RememberMe"));
        Assert.Contains(page.FindAll("a"), a => a.GetAttribute("href") == "Account/ForgotPassword");
        Assert.Null(StatusOf(page));
        Assert.Equal("Account/Login", Location);
    }

    [Fact]
    public async Task Login_sends_a_signed_in_user_on_to_the_local_return_url_instead_of_showing_the_form()
    {
        await SignInAsync(await CreateUserAsync());

        Get<Login>("Account/Login?ReturnUrl=%2Fapp%2Finvoices");

        Assert.Equal("app/invoices", Location);
    }

    [Fact]
    public async Task Login_sends_a_signed_in_user_with_a_return_url_on_another_site_to_the_home_page()
    {
        await SignInAsync(await CreateUserAsync());

        Get<Login>("Account/Login?ReturnUrl=https%3A%2F%2Fevil.example%2F");

        Assert.Equal("", Location);
    }

    [Fact]
    public void Login_shows_the_status_message_the_previous_page_left()
    {
        SendCookie(StatusCookie, "Your password is set. Sign in to continue.");

        var page = Get<Login>("Account/Login");

        Assert.Equal(("success", "Your password is set. Sign in to continue."), StatusOf(page));
        // Shown once: the response deletes it.
        Assert.True(IsDeletion(ResponseCookie(StatusCookie)!));
    }

    [Fact]
    public void Login_posted_empty_names_both_missing_fields_at_the_fields()
    {
        var page = Post<Login>("Account/Login", "login", Fields("", ""));

        page.WaitForAssertion(() => Assert.Equal(["Enter your e-mail address."], ErrorsAt(page, "Input.Email")));
        Assert.Equal(["Enter your password."], ErrorsAt(page, "Input.Password"));
        Assert.False(SignsIn());
        Assert.Equal("Account/Login", Location);
    }

    [Fact]
    public void Login_posted_with_an_address_that_is_not_one_says_so_at_the_email_field()
    {
        var page = Post<Login>("Account/Login", "login", Fields("not-an-address", "whatever"));

        page.WaitForAssertion(() => Assert.Equal(["Enter a valid e-mail address."], ErrorsAt(page, "Input.Email")));
        Assert.Empty(ErrorsAt(page, "Input.Password"));
        Assert.Equal("not-an-address", Field(page, "Input.Email").GetAttribute("value"));
    }

    [Fact]
    public async Task Login_with_a_wrong_password_says_so_and_does_not_sign_in()
    {
        var user = await CreateUserAsync();

        var page = Post<Login>("Account/Login", "login", Fields(user.Email!, "Wrong!Password9"));

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Wrong e-mail or password."), StatusOf(page)));
        Assert.False(SignsIn());
        Assert.Equal("Account/Login", Location);
        Assert.Equal(1, (await StoredAsync(user)).AccessFailedCount);
    }

    [Fact]
    public void Login_with_an_unknown_address_gives_the_same_answer_as_a_wrong_password()
    {
        var page = Post<Login>("Account/Login", "login", Fields($"nobody-{Guid.NewGuid():N}@accounts.test", Password));

        page.WaitForAssertion(() => Assert.Equal(("error", "Error: Wrong e-mail or password."), StatusOf(page)));
        Assert.False(SignsIn());
    }

    [Fact]
    public async Task Login_with_the_right_password_signs_in_and_goes_to_the_return_url()
    {
        var user = await CreateUserAsync();

        Post<Login>("Account/Login?ReturnUrl=%2Fapp%2Fusage", "login", Fields(user.Email!, Password));

        Assert.Equal("app/usage", Location);
        Assert.True(SignsIn());
    }

    [Fact]
    public async Task Login_of_a_user_with_two_factor_sign_in_goes_to_the_second_step_with_the_return_url_and_remember_me()
    {
        var user = await CreateUserAsync();
        await EnableTwoFactorAsync(user);

        Post<Login>("Account/Login?ReturnUrl=%2Fapp", "login", Fields(user.Email!, Password, rememberMe: true));

        Assert.Equal("Account/LoginWith2fa?returnUrl=%2Fapp&rememberMe=True", Location);
        Assert.False(SignsIn());
        Assert.NotNull(ResponseCookie(IdentityConstants.TwoFactorUserIdScheme));
    }

    [Fact]
    public async Task Login_of_a_locked_out_account_goes_to_the_lockout_page_even_with_the_right_password()
    {
        var user = await CreateUserAsync();
        await WithUsersAsync(async users => await users.SetLockoutEndDateAsync((await users.FindByIdAsync(user.Id))!, DateTimeOffset.UtcNow.AddMinutes(15)));

        Post<Login>("Account/Login", "login", Fields(user.Email!, Password));

        Assert.Equal("Account/Lockout", Location);
        Assert.False(SignsIn());
    }
}
