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
            .ValidateOnStart();
        services.AddSignInThrottling();
        return builder;
    }
}
