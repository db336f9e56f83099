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
        return builder;
    }
}
