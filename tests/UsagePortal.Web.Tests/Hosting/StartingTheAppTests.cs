using System.Net;
using System.Net.Sockets;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>
/// A newcomer's first start, as a real `dotnet run` (launch profile included): the address can be chosen with
/// ASPNETCORE_URLS or --urls, the app says where it listens, and a port that is taken ends the start at once with one
/// clear line instead of a stack trace after minutes of seeding.
/// </summary>
public sealed class StartingTheAppTests
{
    [Fact]
    public async Task AStartOnATakenPortEndsBeforeAnyDatabaseWorkWithOneClearLineAndNoStackTrace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var database = TestDatabase.CreateSqlite();
        var databaseFile = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        var mail = Directory.CreateTempSubdirectory("usageportal-mail-").FullName;

        await using var app = RunCommand.Start(Path.GetTempPath(),
            ["--urls", $"http://127.0.0.1:{port}", $"--ConnectionStrings:Sqlite={database.ConnectionString}", $"--Email:PickupDirectory={mail}"]);
        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"Port {port} is already in use. Start on another port with: dotnet run --project src/UsagePortal.Web -- --urls http://localhost:", line, StringComparison.Ordinal);
        var everything = app.StandardOutput + app.StandardError;
        Assert.DoesNotContain("Exception", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", everything, StringComparison.Ordinal);
        // Nothing slow ran first: the database was not even created, let alone migrated and seeded.
        Assert.False(File.Exists(databaseFile), "The database was created before the port was checked.");
    }

    [Fact]
    public async Task OutsideDevelopmentTheAppRefusesToStartWithoutAPublicBaseUrlInOneLine()
    {
        await using var database = TestDatabase.CreateSqlite();
        var databaseFile = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;

        await using var app = RunCommand.Start(Path.GetTempPath(),
            ["--environment", "Production", "--urls", $"http://127.0.0.1:{RunCommand.FreePort()}", $"--ConnectionStrings:Sqlite={database.ConnectionString}"]);
        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("App:PublicBaseUrl is not set.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", app.StandardOutput + app.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(databaseFile), "The database was created before the settings were checked.");
    }

    [Fact]
    public async Task TheAppStartedWithAspNetCoreUrlsListensThereSaysSoAndMailsLinksToThatAddress()
    {
        var port = RunCommand.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}/");
        await using var database = TestDatabase.CreateSqlite();
        var mail = Directory.CreateTempSubdirectory("usageportal-mail-").FullName;

        await using var app = RunCommand.Start(Path.GetTempPath(),
            [$"--ConnectionStrings:Sqlite={database.ConnectionString}", $"--Email:PickupDirectory={mail}", "--Outbox:PollInterval=00:00:01"],
            new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = address.GetLeftPart(UriPartial.Authority) });
        await app.WaitUntilHealthyAsync(address, TimeSpan.FromSeconds(120));

        Assert.Contains($"UsagePortal is listening on http://127.0.0.1:{port}", app.StandardOutput, StringComparison.Ordinal);

        // In Development without App:PublicBaseUrl, e-mailed links take the address the app listens on, whatever Host a request names.
        using var client = new PortalClient(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = address });
        client.Http.DefaultRequestHeaders.Host = "attacker.example";
        await client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = DemoSettings.AdminEmail });
        var message = await WaitForMailAsync(mail, TimeSpan.FromSeconds(60));
        Assert.StartsWith($"http://127.0.0.1:{port}/Account/ResetPassword?code=", message.HtmlLink, StringComparison.Ordinal);
    }

    private static async Task<EmlMessage> WaitForMailAsync(string folder, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.GetFiles(folder, "*.eml").FirstOrDefault() is { } file)
            {
                return EmlMessage.Read(file);
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No e-mail reached {folder} within {timeout}.");
    }
}
