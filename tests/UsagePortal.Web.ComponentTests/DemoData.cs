using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;

namespace UsagePortal.Web.ComponentTests;

/// <summary>Ids of the seeded demo, for tests that render its pages.</summary>
public static class DemoData
{
    public static Task<int> CustomerIdAsync(this ComponentHost host, string externalId = "acme") =>
        host.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers
            .Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync());
}
