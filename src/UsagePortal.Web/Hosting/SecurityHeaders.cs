namespace UsagePortal.Web.Hosting;

/// <summary>
/// Hardening headers on every response: pages, static files, API answers and error pages alike (set when the response
/// starts, so that an exception handler clearing the headers does not take them away).
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// The content security policy, in one place. Scripts only from this origin (Bootstrap, htmx, Chart.js and the
    /// app's own are vendored under wwwroot). Styles also inline: htmx adds a style element for its indicators and
    /// pages use a few style attributes. Images also as data: URIs (Bootstrap's icons in form controls). Connections
    /// to this origin (htmx requests, the live usage stream). When the UI moves to Blazor interactive server, its
    /// circuit needs <c>connect-src 'self' ws: wss:</c> here.
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
