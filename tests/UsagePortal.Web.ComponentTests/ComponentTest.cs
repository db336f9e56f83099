using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.ComponentTests;

/// <summary>
/// The base of every component test: bunit's renderer, interactive (server) as in the app, MudBlazor's services, and
/// for everything else the real app's services on its own SQLite file with the demo seeded (<see cref="ComponentHost"/>),
/// so components read and write real data through the domain.
/// </summary>
public abstract class ComponentTest : BunitContext, IAsyncLifetime
{
    protected ComponentTest(ComponentHost host)
        : this(host, null)
    {
    }

    /// <param name="host">The app.</param>
    /// <param name="services">Services of the test's own that take the place of the app's (e.g. a clock); added before anything is resolved.</param>
    protected ComponentTest(ComponentHost host, Action<IServiceCollection>? services)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        JSInterop.Mode = JSRuntimeMode.Loose;
        services?.Invoke(Services);
        Services.AddMudServices();
        // A scope of the app's container, not its root: the renderer asks for scoped framework services too.
        appScope = host.Services.CreateAsyncScope();
        Services.AddFallbackServiceProvider(appScope.ServiceProvider);
        Authorization = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private readonly AsyncServiceScope appScope;

    protected ComponentHost Host { get; }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>Signs the renderer in as a customer user of organisation <paramref name="customerId"/>.</summary>
    protected void SignInAsCustomer(int customerId, string email = "owner@acme.example", string role = Roles.CustomerOwner, string displayName = "Owner")
    {
        Authorization.SetAuthorized(email);
        Authorization.SetRoles(role);
        Authorization.SetClaims(
            new Claim(CustomerClaims.CustomerId, customerId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(CustomerClaims.DisplayName, displayName));
    }

    /// <summary>Signs the renderer in as the operator's admin.</summary>
    protected void SignInAsAdmin(string email = "admin@usageportal.local")
    {
        Authorization.SetAuthorized(email);
        Authorization.SetRoles(Roles.Admin);
        Authorization.SetClaims(new Claim(CustomerClaims.DisplayName, "Operator admin"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await appScope.DisposeAsync();
    }
}

/// <summary>The real app (demo seeded, own SQLite file), shared by every component test class.</summary>
public sealed class ComponentHost : PortalFactory
{
    public new IServiceProvider Services => base.Services;
}

[CollectionDefinition(Name)]
public sealed class ComponentHostCollection : ICollectionFixture<ComponentHost>
{
    public const string Name = "Component host";
}
