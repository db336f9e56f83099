namespace UsagePortal.Web.Hosting;

/// <summary>
/// Hardening headers on every response: pages, static files, API answers and error pages alike (set when the response
/// starts, so that an exception handler clearing the headers does not take them away).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The content security policy, in one place. Scripts only from this origin (blazor.web.js, MudBlazor's script and the
    /// app's own, all served from here; no inline script, so no import map). Styles also inline: MudBlazor positions
    /// popovers and sizes charts with style attributes. Images also as data: URIs. Connections to this origin: 'self'
    /// also allows the circuit's WebSocket to the same host (CSP Level 3, which current browsers implement).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "connect-src 'self'; " +
        "frame-ancestors 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers.XFrameOptions = "DENY";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
