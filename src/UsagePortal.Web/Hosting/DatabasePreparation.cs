using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Web.Seeding;

namespace UsagePortal.Web.Hosting;

/// <summary>
/// Applies migrations, makes sure the roles exist, and (in Development, or with <c>Demo:Seed</c>) seeds the demo, as the
/// first step of the host's start: in <see cref="StartingAsync"/>, which the host runs before any hosted service starts,
/// the web server (which binds the port) included. So no request, sweep or listener meets a database that is not ready,
/// however the host is started (<c>dotnet run</c>, a test host, a test host on Kestrel).
/// </summary>
internal sealed class DatabasePreparation(IServiceScopeFactory scopes, IHostEnvironment environment) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (options.MigrateOnStartup)
        {
            await services.GetRequiredService<UsagePortalDbContext>().MigrateAsync(cancellationToken);
        }

        await services.GetRequiredService<IdentitySeeder>().EnsureRolesAsync();
        var demo = services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (demo.Seed ?? environment.IsDevelopment())
        {
            await services.GetRequiredService<DemoSeeder>().SeedAsync();
            await services.GetRequiredService<DemoUsageSeeder>().SeedAsync();
            await services.GetRequiredService<DemoBillingSeeder>().SeedAsync();
            // The demo's closed months are invoiced before the first page is served, not a sweep later.
            await services.GetRequiredService<InvoiceRunner>().RunOnceAsync(cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
