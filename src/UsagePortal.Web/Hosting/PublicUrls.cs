using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using UsagePortal.Domain.Email;

namespace UsagePortal.Web.Hosting;

/// <summary>
/// Absolute links for e-mails. They start with <c>App:PublicBaseUrl</c>, or in Development (when it is unset) with
/// the address the server actually listens on. Never with the request's Host header: a forged Host would otherwise
/// turn a password-reset or invitation link into one that hands its code to whoever forged it.
/// </summary>
public sealed class PublicUrls(IOptions<AppOptions> options, IServer server, IHostEnvironment environment) : IPublicLinks
{
    private Uri? fromServer;

    /// <summary>The public base address, ending in a slash.</summary>
    public Uri BaseUri => options.Value.PublicBaseUrl is { Length: > 0 } configured ? WithTrailingSlash(new Uri(configured)) : ListeningAddress();

    /// <summary>An absolute link to <paramref name="path"/> (relative to the base, e.g. <c>Account/ResetPassword</c>) with a query.</summary>
    public string Link(string path, IDictionary<string, string?> query) =>
        QueryHelpers.AddQueryString(new Uri(BaseUri, path.TrimStart('/')).AbsoluteUri, query);

    private Uri ListeningAddress()
    {
        if (fromServer is not null)
        {
            return fromServer;
        }

        if (!environment.IsDevelopment())
        {
            // The options validator refuses to start without the setting outside Development; this is a second guard.
            throw new InvalidOperationException("App:PublicBaseUrl is not set.");
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .Where(a => a.Port > 0)
            .ToList() ?? [];
        // A person on this machine follows the link: http on loopback is what a browser here reaches without certificate trouble.
        var best = addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp && IsLoopback(a))
            ?? addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("App:PublicBaseUrl is not set and the server reports no address it listens on.");
        var builder = new UriBuilder(best) { Path = "/" };
        if (builder.Host is "*" or "+" or "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "localhost";
        }

        return fromServer = builder.Uri;
    }

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (System.Net.IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;
}
