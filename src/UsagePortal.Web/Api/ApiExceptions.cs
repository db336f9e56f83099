using Microsoft.AspNetCore.Diagnostics;

namespace UsagePortal.Web.Api;

/// <summary>
/// An exception under <c>/api</c> answers a 500 problem document in every environment, like every other API error:
/// API clients parse JSON, not the HTML error page. The exception itself is logged by the handler middleware; the
/// answer names no type and carries no stack trace outside Development, only the trace id to report.
/// </summary>
public static class ApiExceptions
{
    public static IApplicationBuilder UseApiProblemsForExceptions(this IApplicationBuilder app, IHostEnvironment environment) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
            {
                var detail = "The server could not complete the request. Try again; if it keeps failing, report the traceId.";
                if (environment.IsDevelopment() && context.Features.Get<IExceptionHandlerFeature>()?.Error is { } error)
                {
                    detail += $" (Development only: {error})";
                }

                return Problems.Create(StatusCodes.Status500InternalServerError, "Internal server error", detail).ExecuteAsync(context);
            },
        });
}
