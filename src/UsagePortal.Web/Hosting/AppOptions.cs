using Microsoft.Extensions.Options;

namespace UsagePortal.Web.Hosting;

/// <summary>The <c>App</c> section: where people reach the portal, and which proxy (if any) stands in front of it.</summary>
public sealed class AppOptions
{
    public const string SectionName = "App";

    /// <summary>
    /// The address people reach the portal at, e.g. <c>https://portal.example.com/</c>. Every link in an e-mail starts
    /// with it, never with the Host header of the request that caused the e-mail (anyone can send any Host). Required
    /// outside Development; in Development, when unset, the address the app listens on.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Take the client address and scheme from <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> (a TLS proxy in
    /// front), so that requests the proxy received over https count as https: Secure cookies, HSTS, per-client
    /// throttling by the real client address. Off by default: without a proxy, anyone could claim any address.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>
    /// The proxies whose forwarded headers are trusted (IP addresses). Empty: any peer, which is right only when the
    /// app cannot be reached except through the proxy (a private network, a container port published to the proxy only).
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];
}

/// <summary>Refuses settings that would make e-mailed links or proxy trust wrong, naming the setting.</summary>
internal sealed class AppOptionsValidator(IHostEnvironment environment) : IValidateOptions<AppOptions>
{
    public ValidateOptionsResult Validate(string? name, AppOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            // Outside Development there is no safe guess: the listening address is usually internal (behind a proxy)
            // and the request's Host is whatever the sender says. So the app refuses to start instead.
            if (!environment.IsDevelopment())
            {
                failures.Add("App:PublicBaseUrl is not set. Set it to the address people reach the portal at, e.g. App__PublicBaseUrl=https://portal.example.com/ (links in e-mails start with it).");
            }
        }
        else if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            failures.Add($"App:PublicBaseUrl '{options.PublicBaseUrl}' is not an absolute http or https address without a query, such as https://portal.example.com/.");
        }

        foreach (var proxy in options.KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"App:KnownProxies: '{proxy}' is not an IP address.");
            }
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
