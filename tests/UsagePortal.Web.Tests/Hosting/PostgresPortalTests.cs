using System.Net;

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
        var text = PortalClient.Text(await client.GetPageAsync("/admin/customers"));

        Assert.Contains(DemoSettings.CustomerName, text);
        Assert.Contains(DemoSettings.OtherCustomerName, text);
    }
}
