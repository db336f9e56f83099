using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    /// <summary>
    /// Goes to a page of this app: a base-relative path (<c>Account/Lockout</c>), a local path, or an absolute address
    /// on this app's own base. Anything else (another site) goes to the home page instead of failing.
    /// </summary>
    public void RedirectTo(string? uri)
    {
        uri ??= "";
        if (Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            uri = absolute.AbsoluteUri.StartsWith(navigationManager.BaseUri, StringComparison.OrdinalIgnoreCase)
                ? navigationManager.ToBaseRelativePath(absolute.AbsoluteUri)
                : "";
        }
        else if (!IsLocalUrl(uri) && !IsBaseRelativePath(uri))
        {
            uri = "";
        }

        navigationManager.NavigateTo(uri);
    }

    /// <summary>
    /// Goes to a return URL that came with the request (the sign-in pages' ReturnUrl): only a local path, as
    /// <c>Url.IsLocalUrl</c> defines it, is followed; anything else (<c>https://evil.example/</c>, <c>//evil.example/</c>,
    /// <c>/\evil.example/</c>) goes to the home page. An open redirect after sign-in would send a person who just
    /// typed their password to a look-alike site.
    /// </summary>
    public void RedirectToLocal(string? returnUrl)
    {
        if (returnUrl is not null && IsLocalUrl(returnUrl))
        {
            navigationManager.NavigateTo(returnUrl.StartsWith("~/", StringComparison.Ordinal) ? returnUrl[1..] : returnUrl);
            return;
        }

        navigationManager.NavigateTo("");
    }

    /// <summary>The semantics of ASP.NET Core's <c>Url.IsLocalUrl</c>: "/path" or "~/path", but not "//host" or "/\host".</summary>
    public static bool IsLocalUrl(string url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return false;
        }

        if (url[0] == '/')
        {
            return url.Length == 1 || (url[1] != '/' && url[1] != '\\' && !HasControlCharacter(url.AsSpan(1)));
        }

        if (url[0] == '~' && url.Length > 1 && url[1] == '/')
        {
            return url.Length == 2 || (url[2] != '/' && url[2] != '\\' && !HasControlCharacter(url.AsSpan(2)));
        }

        return false;
    }

    /// <summary>A path relative to the base such as <c>Account/Lockout?x=1</c>: no scheme, no leading slash or backslash.</summary>
    private static bool IsBaseRelativePath(string url)
    {
        if (url.Length == 0)
        {
            return true;
        }

        if (!char.IsLetterOrDigit(url[0]) || url.Contains('\\') || HasControlCharacter(url))
        {
            return false;
        }

        // A colon before any '/', '?' or '#' would make it a scheme ("javascript:…"), not a path.
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var end = url.IndexOfAny(['/', '?', '#']);
        return colon < 0 || (end >= 0 && end < colon);
    }

    private static bool HasControlCharacter(ReadOnlySpan<char> text)
    {
        foreach (var character in text)
        {
            if (char.IsControl(character))
            {
                return true;
            }
        }

        return false;
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<ApplicationUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
