using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using UsagePortal.Web.Components;
using UsagePortal.Web.Components.Account.Shared;
using UsagePortal.Web.Components.Layout;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>What every Identity page shares: where it is, that it stays a static form page, and that only the account settings need a signed-in user.</summary>
public sealed class AccountPagesTests
{
    private static readonly string[] ManagePages =
    [
        "/Account/Manage",
        "/Account/Manage/ChangePassword",
        "/Account/Manage/Disable2fa",
        "/Account/Manage/EnableAuthenticator",
        "/Account/Manage/GenerateRecoveryCodes",
        "/Account/Manage/ResetAuthenticator",
        "/Account/Manage/TwoFactorAuthentication",
    ];

    private static IEnumerable<Type> AccountPages =>
        typeof(Routes).Assembly.GetTypes().Where(t => t.Namespace?.StartsWith("UsagePortal.Web.Components.Account.Pages", StringComparison.Ordinal) == true && t.GetCustomAttribute<RouteAttribute>() is not null);

    [Fact]
    public void Every_account_page_is_a_static_form_page_under_Account_and_only_the_settings_need_a_signed_in_user()
    {
        // These twenty, each with its test class here; a new one needs its own.
        Assert.Equal(
            [
                "/Account/AcceptInvitation", "/Account/AccessDenied", "/Account/ForgotPassword", "/Account/ForgotPasswordConfirmation",
                "/Account/InvalidPasswordReset", "/Account/InvalidUser", "/Account/Lockout", "/Account/Login", "/Account/LoginWith2fa",
                "/Account/LoginWithRecoveryCode", .. ManagePages, "/Account/ResetPassword", "/Account/ResetPasswordConfirmation",
            ],
            AccountPages.Select(t => t.GetCustomAttribute<RouteAttribute>()!.Template).Order(StringComparer.Ordinal));
        foreach (var page in AccountPages)
        {
            // Static: the pages read the request's HttpContext and post plain forms; over a circuit they would have neither.
            Assert.True(page.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is not null, $"{page.Name} is not excluded from interactive routing.");
            var manage = page.Namespace!.EndsWith(".Manage", StringComparison.Ordinal);
            Assert.Equal(manage ? typeof(ManageLayout) : typeof(AccountLayout), page.GetCustomAttribute<LayoutAttribute>()!.LayoutType);
            // The account settings need a signed-in user (the endpoint sends anyone else to sign in); the sign-in, reset and
            // invitation pages must not, or nobody could reach them.
            Assert.True(manage == page.IsDefined(typeof(AuthorizeAttribute), inherit: true), $"{page.Name} {(manage ? "does not require" : "requires")} a signed-in user.");
        }
    }
}
