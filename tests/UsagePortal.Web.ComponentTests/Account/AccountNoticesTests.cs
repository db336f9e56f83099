using System.Reflection;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UsagePortal.Web.Components.Account.Pages;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>The pages that only tell where things stand: access denied, account locked, account not found.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class AccountNoticesTests(ComponentHost host) : AccountPageTest(host)
{
    private CookieAuthenticationOptions AppCookie =>
        Host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);

    private static string RouteOf<TPage>() => typeof(TPage).GetCustomAttribute<RouteAttribute>()!.Template;

    [Fact]
    public void AccessDenied_says_so_and_is_where_the_app_sends_a_user_who_may_not_see_a_page()
    {
        var page = Get<AccessDenied>("Account/AccessDenied");

        Assert.Equal(["Access denied"], Headings(page));
        Assert.Equal("You do not have access to this resource.", page.Find("h1 + p").TextContent.Trim());
        Assert.Equal(AppCookie.AccessDeniedPath.Value, RouteOf<AccessDenied>());
        Assert.Equal(AppCookie.LoginPath.Value, RouteOf<Login>());
    }

    [Fact]
    public void Lockout_says_the_account_is_locked_for_as_long_as_the_app_locks_it_and_offers_a_reset()
    {
        var page = Get<Lockout>("Account/Lockout");

        Assert.Equal(["Account locked"], Headings(page));
        var lockout = Host.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.Lockout.DefaultLockoutTimeSpan;
        var alert = page.Find("[role=alert]");
        Assert.Contains($"Try again in {lockout.TotalMinutes} minutes", Normalize(alert.TextContent), StringComparison.Ordinal);
        Assert.Equal("Account/ForgotPassword", alert.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void InvalidUser_says_the_account_is_gone_links_to_sign_in_and_shows_the_reason_once()
    {
        SendCookie(StatusCookie, "Error: Unable to load user with ID 'gone-42'.");

        var page = Get<InvalidUser>("Account/InvalidUser");

        Assert.Equal(["Account not found"], Headings(page));
        Assert.Contains(page.FindAll("[role=alert] a"), a => a.GetAttribute("href") == "Account/Login");
        Assert.Equal(("error", "Error: Unable to load user with ID 'gone-42'."), StatusOf(page));
        Assert.True(IsDeletion(ResponseCookie(StatusCookie)!));
    }

    [Fact]
    public void InvalidUser_without_a_reason_shows_no_status()
    {
        var page = Get<InvalidUser>("Account/InvalidUser");

        Assert.Equal(["Account not found"], Headings(page));
        Assert.Null(StatusOf(page));
        Assert.Null(ResponseCookie(StatusCookie));
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
