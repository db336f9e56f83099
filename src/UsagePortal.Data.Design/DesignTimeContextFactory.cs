using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace UsagePortal.Data.Design;

/// <summary>Builds the context for `dotnet ef ... -- --provider Sqlite|Postgres`. No database is contacted.</summary>
public sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<UsagePortalDbContext>
{
    public UsagePortalDbContext CreateDbContext(string[] args)
    {
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length
            ? Enum.Parse<DatabaseProvider>(args[index + 1], ignoreCase: true)
            : throw new ArgumentException("Pass the provider: dotnet ef ... -- --provider Sqlite|Postgres");
        var connectionString = provider == DatabaseProvider.Sqlite
            ? "Data Source=design-time.db"
            : "Host=localhost;Database=usageportal_design";
        var options = new DbContextOptionsBuilder<UsagePortalDbContext>();
        DataExtensions.Configure(options, provider, connectionString);
        return new UsagePortalDbContext(options.Options);
    }
}
