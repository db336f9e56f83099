using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>In Production an API call that fails inside the app answers a problem document, never an HTML page or a stack trace.</summary>
public sealed class ProductionErrorTests
{
    [Fact]
    public async Task AnApiCallThatFailsInProductionAnswersA500ProblemDocumentWithoutAStackTrace()
    {
        await using var portal = new BrokenDatabasePortal();
        using var client = portal.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        // Something real goes wrong: the database file is gone and a folder stands in its place.
        SqliteConnection.ClearAllPools();
        var file = new SqliteConnectionStringBuilder(portal.ConnectionString).DataSource;
        File.Delete(file);
        Directory.CreateDirectory(file);
        using var response = await client.GetAsync("/api/v1/customers");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":500", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class BrokenDatabasePortal : ProductionPortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [.. base.Settings, new("Demo:Seed", "false")];
    }
}
