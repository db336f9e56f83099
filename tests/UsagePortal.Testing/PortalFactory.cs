using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Identity;

namespace UsagePortal.Testing;

/// <summary>
/// The real app, hosted in the test process on a real database of its own, in Development (so the demo is
/// seeded from the repository's appsettings.Development.json), with e-mail going to a private pickup folder.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>
{
    private readonly TestDatabase database;

    public PortalFactory() : this(DatabaseProvider.Sqlite)
    {
    }

    protected PortalFactory(DatabaseProvider provider)
    {
        database = TestDatabase.Create(provider);
        MailFolder = Directory.CreateTempSubdirectory("usageportal-mail-").FullName;
    }

    public DatabaseProvider Provider => database.Provider;

    public string ConnectionString => database.ConnectionString;

    public string MailFolder { get; }

    /// <summary>Extra settings, applied before the app reads its configuration.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    /// <summary>Development by default: the demo is seeded from the repository's settings file.</summary>
    protected virtual string EnvironmentName => "Development";

    /// <summary>
    /// Where the links in e-mails point. The in-process test server has no address of its own, so it is configured;
    /// null leaves it unset, so that a host on a real socket in Development takes the address it listens on.
    /// </summary>
    protected virtual string? PublicBaseUrl => "http://localhost/";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseContentRoot(RepositoryRoot.Path);
        builder.UseSetting("Database:Provider", database.Provider.ToString());
        builder.UseSetting($"ConnectionStrings:{database.Provider}", database.ConnectionString);
        builder.UseSetting("Email:PickupDirectory", MailFolder);
        builder.UseSetting("Outbox:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Every client of the in-process server comes from one (unknown) address, and a test class signs in many
        // times a minute: the per-client sign-in throttle is raised here; its own test lowers it again.
        builder.UseSetting("Security:SignInAttemptsPerMinute", "100000");
        if (PublicBaseUrl is not null)
        {
            builder.UseSetting("App:PublicBaseUrl", PublicBaseUrl);
        }

        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (tests look at them).</summary>
    public PortalClient CreatePortalClient() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public async Task<T> WithServicesAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task WithServicesAsync(Func<IServiceProvider, Task> action) =>
        WithServicesAsync(async services => { await action(services); return true; });

    /// <summary>Creates a confirmed user with a password, in <paramref name="role"/> and organisation <paramref name="customerId"/>.</summary>
    public Task<ApplicationUser> CreateUserAsync(string email, string password, string role, int? customerId) =>
        WithServicesAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], CustomerId = customerId, CreatedAt = DateTime.UtcNow };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
            }

            await users.AddToRoleAsync(user, role);
            return user;
        });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await database.DisposeAsync();
        try
        {
            Directory.Delete(MailFolder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>The same app on PostgreSQL.</summary>
public sealed class PostgresPortalFactory() : PortalFactory(DatabaseProvider.Postgres);

/// <summary>
/// The same app in the Production environment, as an operator runs it behind a TLS proxy: a configured public address,
/// forwarded headers trusted, the demo seeded on request (its credentials passed as settings, since the Development
/// settings file is not read outside Development).
/// </summary>
public class ProductionPortalFactory : PortalFactory
{
    public const string PublicAddress = "https://portal.usageportal.test/";

    protected override string EnvironmentName => "Production";

    protected override string? PublicBaseUrl => PublicAddress;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("App:TrustForwardedHeaders", "true"),
        new("Demo:Seed", "true"),
        new("Demo:AdminEmail", DemoSettings.AdminEmail),
        new("Demo:AdminPassword", DemoSettings.AdminPassword),
        new("Demo:CustomerEmail", DemoSettings.CustomerEmail),
        new("Demo:CustomerPassword", DemoSettings.CustomerPassword),
        new("Demo:MemberEmail", DemoSettings.MemberEmail),
        new("Demo:CustomerExternalId", DemoSettings.CustomerExternalId),
        new("Demo:CustomerName", DemoSettings.CustomerName),
        new("Demo:OperatorApiKey", DemoSettings.OperatorApiKey),
    ];
}
