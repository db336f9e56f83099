using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>
/// Every response carries a content security policy and the usual hardening headers; behind a TLS proxy (forwarded
/// headers trusted) requests count as https, so cookies are Secure and HSTS is sent.
/// </summary>
public sealed class SecurityHeadersTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TheSignInPageCarriesTheSecurityHeaders()
    {
        using var client = portal.CreatePortalClient();

        AssertSecurityHeaders(await client.GetAsync("/Account/Login"));
    }

    [Fact]
    public async Task TheOwnersDashboardCarriesTheSecurityHeaders()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        var response = await client.GetAsync("/app");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task AnAdminPageCarriesTheSecurityHeaders()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await client.GetAsync("/admin/customers");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task StaticFilesTheNotFoundPageAndTheApiCarryThemToo()
    {
        using var client = portal.CreatePortalClient();

        AssertSecurityHeaders(await client.GetAsync("/css/app.css"));
        AssertSecurityHeaders(await client.GetAsync("/no-such-page"));
        AssertSecurityHeaders(await client.GetAsync("/api/v1/customers"));
    }

    [Fact]
    public async Task WithoutTrustedForwardedHeadersAForwardedProtoIsIgnored()
    {
        using var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var signedIn = await ProxiedSignInAsync(client);

        var authCookie = Assert.Single(SetCookies(signedIn), c => c.StartsWith("UsagePortal.Auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", authCookie, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Signs in the demo owner through a TLS proxy: every request says X-Forwarded-Proto: https. Cookies are carried by hand.</summary>
    internal static async Task<HttpResponseMessage> ProxiedSignInAsync(HttpClient client)
    {
        var cookies = new Dictionary<string, string>();
        var page = await SendAsync(client, new HttpRequestMessage(HttpMethod.Get, "/Account/Login"), cookies);
        var form = PortalClient.FindForm(await page.Content.ReadAsStringAsync(), "login")!;
        var fields = new Dictionary<string, string>(form.HiddenFields)
        {
            ["Input.Email"] = DemoSettings.CustomerEmail,
            ["Input.Password"] = DemoSettings.CustomerPassword,
        };
        var response = await SendAsync(client, new HttpRequestMessage(HttpMethod.Post, form.Action ?? "/Account/Login") { Content = new FormUrlEncodedContent(fields) }, cookies);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response;
    }

    internal static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, Dictionary<string, string> cookies)
    {
        request.Headers.Host = "portal.usageportal.test";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        if (cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await client.SendAsync(request);
        foreach (var setCookie in SetCookies(response))
        {
            var pair = setCookie.Split(';')[0];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            cookies[pair[..equals]] = pair[(equals + 1)..];
        }

        return response;
    }

    internal static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var policy = Header(response, "Content-Security-Policy");
        foreach (var directive in new[] { "default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'" })
        {
            Assert.Contains(directive, policy, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri} has no {name} header.");
}

/// <summary>The Production path behind a TLS proxy (App:TrustForwardedHeaders on).</summary>
public sealed class BehindATlsProxyTests(ProductionPortalFactory portal) : IClassFixture<ProductionPortalFactory>
{
    [Fact]
    public async Task WithForwardedProtoHttpsTheSignInCookieIsSecureAndHstsIsSent()
    {
        using var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var signedIn = await SecurityHeadersTests.ProxiedSignInAsync(client);

        var authCookie = Assert.Single(SecurityHeadersTests.SetCookies(signedIn), c => c.StartsWith("UsagePortal.Auth=", StringComparison.Ordinal));
        Assert.Contains("secure", authCookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(signedIn.Headers.Contains("Strict-Transport-Security"), "The https response carries HSTS.");
        SecurityHeadersTests.AssertSecurityHeaders(signedIn);
    }
}
