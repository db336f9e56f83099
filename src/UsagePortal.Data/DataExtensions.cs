using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UsagePortal.Data.Infrastructure;

namespace UsagePortal.Data;

public static class DataExtensions
{
    public const string SqliteMigrationsAssembly = "UsagePortal.Data.Sqlite";
    public const string PostgresMigrationsAssembly = "UsagePortal.Data.Postgres";

    /// <summary>
    /// Registers <see cref="UsagePortalDbContext"/> on the provider that <c>Database:Provider</c> names,
    /// with the connection string <c>ConnectionStrings:Sqlite</c> (a file under the content root by default)
    /// or <c>ConnectionStrings:Postgres</c>, and keeps the data-protection key ring in the database.
    /// </summary>
    public static IHostApplicationBuilder AddUsagePortalData(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DatabaseOptions.SectionName);
        builder.Services.Configure<DatabaseOptions>(section);
        var options = section.Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = ConnectionStringFor(options.Provider, builder.Configuration, builder.Environment.ContentRootPath);

        builder.Services.AddDbContext<UsagePortalDbContext>(db => Configure(db, options.Provider, connectionString));
        builder.Services.AddSingleton<IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(services =>
            new ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(keys =>
                keys.XmlRepository = new DatabaseKeyRepository(services.GetRequiredService<IServiceScopeFactory>())));
        builder.Services.AddDataProtection().SetApplicationName("UsagePortal");
        return builder;
    }

    /// <summary>The provider-specific half of the context's options; also used by tests and the design-time factory.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder db, DatabaseProvider provider, string connectionString) =>
        provider switch
        {
            DatabaseProvider.Sqlite => db.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly)),
            DatabaseProvider.Postgres => db.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Database:Provider must be Sqlite or Postgres."),
        };

    public static string ConnectionStringFor(DatabaseProvider provider, IConfiguration configuration, string contentRoot)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            return configuration.GetConnectionString("Postgres") is { Length: > 0 } postgres
                ? postgres
                : throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is not set.");
        }

        var sqlite = new SqliteConnectionStringBuilder(configuration.GetConnectionString("Sqlite") is { Length: > 0 } configured
            ? configured
            : "Data Source=App_Data/usageportal.db");
        if (!Path.IsPathRooted(sqlite.DataSource) && sqlite.DataSource != ":memory:")
        {
            sqlite.DataSource = Path.Combine(contentRoot, sqlite.DataSource);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
        sqlite.DefaultTimeout = sqlite.DefaultTimeout < 30 ? 30 : sqlite.DefaultTimeout;
        return sqlite.ToString();
    }

    /// <summary>Applies pending migrations. On SQLite it also switches the file to write-ahead logging, once.</summary>
    public static async Task MigrateAsync(this UsagePortalDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers run beside the single writer; it is a property of the file and persists.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }
}
