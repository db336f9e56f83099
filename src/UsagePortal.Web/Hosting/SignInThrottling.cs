using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace UsagePortal.Web.Hosting;

/// <summary>
/// Per-client throttling of the posts that try a secret (ASP.NET Core's rate limiter, a fixed window per client IP
/// address). Without it one machine could try passwords as fast as the server answers, or lock every account it
/// knows of (six wrong passwords lock one). Pages themselves (GET) are never throttled.
/// </summary>
public static class SignInThrottling
{
    /// <summary>The pages whose form posts are throttled.</summary>
    private static readonly string[] ThrottledPaths =
    [
        "/Account/Login",
        "/Account/LoginWith2fa",
        "/Account/LoginWithRecoveryCode",
        "/Account/ForgotPassword",
        "/Account/ResetPassword",
    ];

    public static IServiceCollection AddSignInThrottling(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((options, security) =>
        {
            var perMinute = security.Value.SignInAttemptsPerMinute;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsThrottled(context.Request)
                    ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = perMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = RejectAsync;
        });
        return services;
    }

    private static bool IsThrottled(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && ThrottledPaths.Any(path => request.Path.Equals(path, StringComparison.OrdinalIgnoreCase));

    /// <summary>The client's address: the connection's, or the forwarded one when App:TrustForwardedHeaders is on (the middleware has replaced it by then).</summary>
    private static string ClientKey(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "text/html; charset=utf-8";
        // A plain page of its own: the Blazor pages are not rendered for a rejected request.
        await response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1.0" /><title>Too many attempts · UsagePortal</title><link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.min.css" /></head>
            <body><main class="container py-5" style="max-width: 40rem">
            <h1 class="h3">Too many sign-in attempts</h1>
            <p>There were too many sign-in attempts from your network in the last minute. Wait {{seconds}} seconds, then try again.</p>
            <p><a href="/Account/Login">Back to sign-in</a></p>
            </main></body>
            </html>
            """, cancellationToken);
    }
}
