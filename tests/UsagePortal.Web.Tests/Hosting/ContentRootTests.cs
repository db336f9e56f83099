using System.Net;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>
/// The README's run command, as a real process started from somewhere else: the app must read the
/// repository's top-level appsettings.Development.json and serve the top-level wwwroot, and nothing else.
/// </summary>
public sealed class ContentRootTests
{
    [Fact]
    public async Task TheRunCommandUsesTheTopLevelSettingsAndWebRoot()
    {
        await using var database = TestDatabase.CreateSqlite();
        var mail = Directory.CreateTempSubdirectory("usageportal-mail-").FullName;
        await using var app = await AppProcess.StartAsync(Path.GetTempPath(), new Dictionary<string, string>
        {
            ["ConnectionStrings:Sqlite"] = database.ConnectionString,
            ["Email:PickupDirectory"] = mail,
        }, AppLaunch.DotnetRun);
        using var client = app.CreateClient();

        // Blazor's circuit script and MudBlazor's assets come from the framework and the package; ours from wwwroot.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("_content/MudBlazor/MudBlazor.min.css")).StatusCode);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "wwwroot", "css", "app.css")), await client.GetStringAsync("css/app.css"));

        // The demo is seeded only in Development from the Demo section of the top-level settings file.
        using var portal = new PortalClient(client);
        await portal.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        Assert.Contains($"Content root path: {RepositoryRoot.Path}", app.Output, StringComparison.Ordinal);
        // `-- --urls` wins too, and the app says where it listens in one plain line.
        Assert.Contains($"UsagePortal is listening on {app.Address.GetLeftPart(UriPartial.Authority)}", app.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheWebProjectHasNoSettingsOrWebRootOfItsOwnToFallBackOn()
    {
        var project = Path.Combine(RepositoryRoot.Path, "src", "UsagePortal.Web");

        Assert.False(Directory.Exists(Path.Combine(project, "wwwroot")));
        Assert.Empty(Directory.GetFiles(project, "appsettings*.json"));
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "appsettings.Development.json")));
    }
}
