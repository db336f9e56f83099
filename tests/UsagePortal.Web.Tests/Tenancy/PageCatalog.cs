using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Tenancy;

/// <summary>Every routable page of the app, found by reflection, so that a new page is covered by the authorization tests the day it is added.</summary>
internal static class PageCatalog
{
    /// <summary>Pages anyone may open: signing in and recovering an account.</summary>
    private static readonly HashSet<string> PublicPages =
    [
        "/Account/Login", "/Account/ForgotPassword", "/Account/ForgotPasswordConfirmation", "/Account/ResetPassword",
        "/Account/ResetPasswordConfirmation", "/Account/InvalidPasswordReset", "/Account/Lockout", "/Account/AccessDenied",
        "/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode", "/Account/AcceptInvitation", "/Account/InvalidUser",
        "/not-found", "/Error",
    ];

    /// <summary>
    /// Pages for any signed-in user, whatever their role: the home page (it sends each role to its own area) and the
    /// account settings (every user has a password and may turn on two-factor sign-in).
    /// </summary>
    public static readonly HashSet<string> AnySignedInUser =
    [
        "/", "/Account/Manage", "/Account/Manage/ChangePassword", "/Account/Manage/Disable2fa", "/Account/Manage/EnableAuthenticator",
        "/Account/Manage/GenerateRecoveryCodes", "/Account/Manage/ResetAuthenticator", "/Account/Manage/TwoFactorAuthentication",
    ];

    public sealed record Page(string Template, Type Component, string? Roles)
    {
        public bool IsAdmin => Roles == Data.Identity.Roles.Admin;

        public bool IsPortal => Roles == Data.Identity.Roles.AnyCustomer;

        public override string ToString() => Template;
    }

    public static IReadOnlyList<Page> All { get; } = typeof(Program).Assembly.GetTypes()
        .Where(t => typeof(IComponent).IsAssignableFrom(t))
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => new Page(r.Template, t, AuthorizeOf(t)?.Roles)))
        .OrderBy(p => p.Template, StringComparer.Ordinal)
        .ToList();

    public static IEnumerable<Page> Protected => All.Where(p => !PublicPages.Contains(p.Template));

    public static bool IsPublic(Page page) => PublicPages.Contains(page.Template);

    public static AuthorizeAttribute? AuthorizeOf(Type component) =>
        component.GetCustomAttribute<AuthorizeAttribute>(inherit: true)
        ?? component.Assembly.GetTypes().Where(t => t.Name == "_Imports" && component.Namespace == t.Namespace).Select(t => t.GetCustomAttribute<AuthorizeAttribute>()).FirstOrDefault();

    /// <summary>A URL for the page with its parameters filled in from <paramref name="values"/>.</summary>
    public static string Url(Page page, IReadOnlyDictionary<string, string> values)
    {
        var url = page.Template;
        foreach (var (name, value) in values)
        {
            url = System.Text.RegularExpressions.Regex.Replace(url, "\\{" + name + "(:[a-z]+)?\\}", value, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        }

        return url.Contains('{', StringComparison.Ordinal) ? throw new InvalidOperationException($"No value for a parameter of {page.Template}: add it to the test.") : url;
    }

    public static TheoryData<string> Templates(IEnumerable<Page> pages)
    {
        var data = new TheoryData<string>();
        foreach (var page in pages)
        {
            data.Add(page.Template);
        }

        return data;
    }

    public static Page Find(string template) => All.Single(p => p.Template == template);

    public static bool IsCustomerRole(string role) => Roles.IsCustomerRole(role);
}
