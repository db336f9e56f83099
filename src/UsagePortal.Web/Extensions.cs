using UsagePortal.Web.Documents;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Domain;
using UsagePortal.Domain.Email;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Web.Api;
using UsagePortal.Web.Components;
using UsagePortal.Web.Components.Account;
using UsagePortal.Web.Hosting;
using UsagePortal.Web.Seeding;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web;

public static class Extensions
{
    /// <summary>Everything the web app needs, in one place, so that Program.cs stays short.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // First of the hosted services (before data protection's, which loads the key ring from the database): the
        // database is ready before any sweep, listener or request touches it.
        builder.Services.AddHostedService<DatabasePreparation>();
        builder.AddUsagePortalData();
        builder.AddPortalHosting();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<Operations>();
        builder.Services.AddOptions<PdfOptions>().Bind(builder.Configuration.GetSection(PdfOptions.SectionName));
        builder.Services.AddSingleton<PdfRenderer>();
        builder.Services.AddSingleton<UsagePortal.Web.Components.Pages.Portal.DashboardReads>();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, CircuitAuthenticationStateProvider>();
        builder.Services.AddOptions<CircuitOptions>().Bind(builder.Configuration.GetSection("Circuits"));
        builder.Services.AddScoped<IdentityRedirectManager>();
        builder.Services.AddHttpContextAccessor();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.Cookie.Name = "UsagePortal.Auth";
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        builder.Services.AddAuthorization();

        builder.Services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedEmail = true;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                // Five wrong passwords in a row are tolerated; the sixth locks the account for 15 minutes.
                options.Lockout.MaxFailedAccessAttempts = 6;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<UsagePortalDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<CustomerClaimsPrincipalFactory>()
            .AddDefaultTokenProviders();
        // Invitation links live longer than password-reset links.
        builder.Services.Configure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = TimeSpan.FromDays(3));

        builder.AddUsagePortalDomain();
        builder.Services.AddSingleton<IPublicLinks>(services => services.GetRequiredService<PublicUrls>());
        builder.Services.AddScoped<IEmailSender<ApplicationUser>, OutboxEmailSender>();

        builder.Services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.SectionName));
        builder.Services.AddScoped<IdentitySeeder>();
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddScoped<DemoUsageSeeder>();
        builder.Services.AddScoped<DemoBillingSeeder>();
        builder.Services.AddOpenApi();
        builder.Services.AddProblemDetails();

        builder.Services.AddHealthChecks().AddDbContextCheck<UsagePortalDbContext>("database");
        return builder;
    }

    public static WebApplication UseApplicationPipeline(this WebApplication app)
    {
        app.UsePortalHosting();
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseApiProblemsForExceptions(app.Environment));
        if (!app.Environment.IsDevelopment())
        {
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseExceptionHandler("/Error", createScopeForErrors: true));
            // Sent only on https responses (behind a TLS proxy: with App:TrustForwardedHeaders on).
            app.UseHsts();
        }

        // People get the not-found page; API clients get problem documents (404, 405, …) like every other API error.
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments("/api"),
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseStaticFiles();
        // Routing after the status-code pages, so that a re-executed request (/not-found) is routed again.
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/healthz");
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapInvoiceDocuments();
        app.MapEventsCsv();
        app.MapOpenApi("/api/v1/openapi.json");
        app.MapStripeWebhook();
        var api = app.MapGroup("/api/v1").RequireOperatorKey().DisableAntiforgery().WithTags("v1");
        api.MapEventsEndpoints();
        api.MapUsageEndpoints();
        api.MapEntitlementEndpoints();
        api.MapMetersEndpoints();
        api.MapPricePreviewEndpoints();
        api.MapCustomersEndpoints();
        api.MapPlansEndpoints();
        api.MapSubscriptionsEndpoints();
        api.MapInvoicesEndpoints();
        api.MapCreditsEndpoints();
        return app;
    }
}
