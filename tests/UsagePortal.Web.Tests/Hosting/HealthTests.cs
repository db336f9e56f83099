using System.Net;
using Microsoft.Data.Sqlite;

namespace UsagePortal.Web.Tests.Hosting;

public sealed class HealthTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task HealthAnswersOkWithTheDatabaseReachable()
    {
        using var client = portal.CreatePortalClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthAnswersUnavailableWhenTheDatabaseIsGone()
    {
        await using var broken = new BrokenDatabasePortal();
        using var client = broken.CreatePortalClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        SqliteConnection.ClearAllPools();
        File.Delete(new SqliteConnectionStringBuilder(broken.ConnectionString).DataSource);
        Directory.CreateDirectory(new SqliteConnectionStringBuilder(broken.ConnectionString).DataSource);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
    }

    private sealed class BrokenDatabasePortal : PortalFactory;
}
