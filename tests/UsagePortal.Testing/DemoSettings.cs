using Microsoft.Extensions.Configuration;

namespace UsagePortal.Testing;

/// <summary>The Demo section exactly as a newcomer reads it in the repository's appsettings.Development.json.</summary>
public static class DemoSettings
{
    private static readonly IConfiguration Configuration = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(RepositoryRoot.Path, "appsettings.Development.json"), optional: false)
        .Build();

    public static string AdminEmail => Get("AdminEmail");

    public static string AdminPassword => Get("AdminPassword");

    public static string CustomerEmail => Get("CustomerEmail");

    public static string CustomerPassword => Get("CustomerPassword");

    public static string MemberEmail => Get("MemberEmail");

    public static string CustomerExternalId => Get("CustomerExternalId");

    public static string CustomerName => Get("CustomerName");

    public static string OperatorApiKey => Get("OperatorApiKey");

    /// <summary>The second seeded organisation, for tenancy tests.</summary>
    public const string OtherOwnerEmail = "owner@globex.example";

    public const string OtherCustomerName = "Globex GmbH";

    private static string Get(string key) =>
        Configuration[$"Demo:{key}"] is { Length: > 0 } value ? value : throw new InvalidOperationException($"Demo:{key} is missing from appsettings.Development.json.");
}
