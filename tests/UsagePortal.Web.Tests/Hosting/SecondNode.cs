using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>A second app on the first's database and pickup folder, with the same settings: two nodes of one deployment.</summary>
internal sealed class SecondNode(PortalFactory first) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseContentRoot(RepositoryRoot.Path);
        builder.UseSetting("Database:Provider", first.Provider.ToString());
        builder.UseSetting($"ConnectionStrings:{first.Provider}", first.ConnectionString);
        builder.UseSetting("Email:PickupDirectory", first.MailFolder);
        builder.UseSetting("Outbox:Enabled", "false");
        builder.UseSetting("Billing:Enabled", "false");
        builder.UseSetting("Demo:Seed", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("App:PublicBaseUrl", "http://localhost/");
    }
}
