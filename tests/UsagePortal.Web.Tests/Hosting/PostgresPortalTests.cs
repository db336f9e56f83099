using System.Net;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>The whole app on PostgreSQL: migrations at start-up, the seed, sign-in, health.</summary>
public sealed class PostgresPortalTests(PostgresPortalFactory portal) : IClassFixture<PostgresPortalFactory>
{
    [Fact]
    public async Task HealthAnswersOkWithTheDatabaseReachable()
    {
        using var client = portal.CreatePortalClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheDemoOwnerSignsInAndSeesTheirDashboard()
    {
        using var client = portal.CreatePortalClient();

        await client.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        Assert.Contains(DemoSettings.CustomerName, PortalClient.Text(await client.GetPageAsync("/app")));
    }

    [Fact]
    public async Task TheDemoAdminSignsInAndSeesEveryCustomer()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        // The customer grid loads its rows from the circuit (server paging), through this query: here on PostgreSQL.
        var all = await portal.WithServicesAsync(services => services.GetRequiredService<CustomerService>().ListAsync(new CustomerListQuery()));
        var searched = await portal.WithServicesAsync(services => services.GetRequiredService<CustomerService>().ListAsync(new CustomerListQuery("GLOBEX", CustomerSort.Name, Descending: true)));
        var pages = new List<string>();
        foreach (var row in all.Rows)
        {
            pages.Add(PortalClient.Text(await client.GetPageAsync($"/admin/customers/{row.Id}")));
        }

        Assert.Contains(all.Rows, r => r.Name == DemoSettings.CustomerName);
        Assert.Contains(all.Rows, r => r.Name == DemoSettings.OtherCustomerName);
        Assert.Equal([DemoSettings.OtherCustomerName], searched.Rows.Select(r => r.Name));
        Assert.Contains(pages, text => text.Contains(DemoSettings.CustomerName, StringComparison.Ordinal));
        Assert.Contains(pages, text => text.Contains(DemoSettings.OtherCustomerName, StringComparison.Ordinal));
    }
}
