using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace UsagePortal.Web.Hosting;

/// <summary>The hosting concerns of the App and Security sections: links, proxies, throttling, session checks, headers.</summary>
public static class HostingExtensions
{
    public static IHostApplicationBuilder AddPortalHosting(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AppOptions>().Bind(builder.Configuration.GetSection(AppOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AppOptions>, AppOptionsValidator>();
        services.AddSingleton<PublicUrls>();

        services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.SectionName))
            .Validate(o => o.SignInAttemptsPerMinute > 0, "Security:SignInAttemptsPerMinute must be a whole number above 0.")
            .Validate(o => o.SessionRevalidationInterval >= TimeSpan.Zero, "Security:SessionRevalidationInterval must not be negative.")
            .ValidateOnStart();
        services.AddSignInThrottling();
        // Identity's default is 30 minutes: a removed member, or a session from before a password change, would keep
        // reading invoices that long. Each check reads the user once; a deleted user's cookie is rejected.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<SecurityOptions>>((stamp, security) =>
            stamp.ValidationInterval = security.Value.SessionRevalidationInterval);

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<AppOptions>>((forwarded, app) =>
        {
            // Only the client address and the scheme: the public host name comes from App:PublicBaseUrl, not from a header.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in app.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return builder;
    }

    /// <summary>The first middleware: headers on every response, then the real client address and scheme behind a trusted proxy.</summary>
    public static WebApplication UsePortalHosting(this WebApplication app)
    {
        app.UseSecurityHeaders();
        // Read from configuration, not the validated options: a missing App:PublicBaseUrl is reported by RunPortalAsync in one line.
        if (app.Configuration.GetValue<bool>($"{AppOptions.SectionName}:{nameof(AppOptions.TrustForwardedHeaders)}"))
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
