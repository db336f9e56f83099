using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Auditing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Metering;

namespace UsagePortal.Web.Tests.DataLayer;

/// <summary>The same data-layer promises, on a real SQLite file and on a real PostgreSQL server.</summary>
public sealed class DataLayerTests
{
    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TheProvidersMigrationsDescribeTheWholeModel(DatabaseProvider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using var db = Context(database);

        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} migrations lag behind the model: add a migration (see UsagePortalDbContext's remarks).");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TheAppsOwnModelMatchesTheMigrations(DatabaseProvider provider)
    {
        // The app's model also depends on its Identity options; check the context exactly as the app builds it.
        await using var app = provider == DatabaseProvider.Sqlite ? new PortalFactory() : new PostgresPortalFactory();
        var pending = await app.WithServicesAsync(services =>
            Task.FromResult(services.GetRequiredService<UsagePortalDbContext>().Database.HasPendingModelChanges()));

        Assert.False(pending, $"The {provider} migrations lag behind the app's model: add a migration (see UsagePortalDbContext's remarks).");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task MigrationsBuildAnEmptyDatabaseToTheLatestVersion(DatabaseProvider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using var db = Context(database);

        await db.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0, await db.Customers.CountAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ADatabaseWithUsageUpgradedToTheDailyTierReadsItsEarlierDaysFromTheHours(DatabaseProvider provider)
    {
        // Rollups stored before the daily tier existed are in no daily row: the tier must call itself complete only
        // from after them (and after the upgrade), or their days would read as empty.
        await using var database = TestDatabase.Create(provider);
        var hour = DateTime.UtcNow.Date.AddDays(2).AddHours(5);
        await using (var db = Context(database))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var beforeTier = migrations[migrations.FindIndex(m => m.EndsWith("_DailyTier", StringComparison.Ordinal)) - 1];
            await db.Database.GetService<IMigrator>().MigrateAsync(beforeTier);
            // In SQL, not through the entity: the customer of today's model has columns the schema of then lacks.
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO \"Customers\" (\"ExternalId\", \"Name\", \"Email\", \"Currency\", \"TimeZone\", \"Locale\", \"TaxRate\", \"CreatedAt\") VALUES ({"before-tier"}, {"Before"}, {"b@x.example"}, {"USD"}, {"UTC"}, {"en-US"}, {0m}, {hour})");
            db.Meters.Add(new Meter { Code = "before_tier", Name = "Before", CreatedAt = hour });
            await db.SaveChangesAsync();
            var (customerId, meterId) = (await db.Customers.Select(c => c.Id).SingleAsync(), await db.Meters.Select(m => m.Id).SingleAsync());
            db.UsageRollups.Add(new UsageRollup { CustomerId = customerId, MeterId = meterId, BucketStart = hour, Count = 3, Sum = 3m, UpdatedAt = hour });
            await db.SaveChangesAsync();
        }

        await using (var db = Context(database))
        {
            var upgradedAt = DateTime.UtcNow;
            await db.MigrateAsync();
            var completeFrom = await db.RollupTierStates.Select(t => t.DailyCompleteFrom).SingleAsync();
            Assert.True(completeFrom >= hour.AddHours(1), $"The daily tier calls itself complete from {completeFrom:O}, before the stored hour {hour:O} ended.");
            Assert.True(completeFrom >= upgradedAt.AddSeconds(-5), $"The daily tier calls itself complete from {completeFrom:O}, before the upgrade at {upgradedAt:O}.");
        }

        await using (var fresh = TestDatabase.Create(provider))
        await using (var db = Context(fresh))
        {
            await db.MigrateAsync();
            Assert.Equal(DateTime.MinValue, await db.RollupTierStates.Select(t => t.DailyCompleteFrom).SingleAsync());
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TimestampsComeBackAsTheSameUtcInstantAndRatesExactly(DatabaseProvider provider)
    {
        await using var database = TestDatabase.Create(provider);
        var created = new DateTime(2026, 3, 29, 1, 30, 15, 123, DateTimeKind.Utc).AddTicks(4560);
        await using (var db = Context(database))
        {
            await db.MigrateAsync();
            db.Customers.Add(new Customer { ExternalId = "exact", Name = "Exact", Email = "e@x.example", TaxRate = 0.123456m, CreatedAt = created });
            await db.SaveChangesAsync();
        }

        await using var reader = Context(database);
        var customer = await reader.Customers.SingleAsync(c => c.ExternalId == "exact");

        Assert.Equal(DateTimeKind.Utc, customer.CreatedAt.Kind);
        Assert.Equal(created.Ticks / 10, customer.CreatedAt.Ticks / 10);
        Assert.Equal(0.123456m, customer.TaxRate);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task TimestampsCompareInTheDatabase(DatabaseProvider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using var db = Context(database);
        await db.MigrateAsync();
        var noon = new DateTime(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);
        foreach (var hour in new[] { -2, -1, 1, 2 })
        {
            db.AuditEntries.Add(new AuditEntry { At = noon.AddHours(hour), Actor = "test", Action = "a", Subject = $"s{hour}" });
        }

        await db.SaveChangesAsync();

        var after = await db.AuditEntries.Where(e => e.At > noon).OrderBy(e => e.At).Select(e => e.Subject).ToListAsync();
        Assert.Equal(["s1", "s2"], after);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task AnExternalIdBelongsToOneCustomerOnly(DatabaseProvider provider)
    {
        await using var database = TestDatabase.Create(provider);
        await using (var db = Context(database))
        {
            await db.MigrateAsync();
            db.Customers.Add(new Customer { ExternalId = "same", Name = "First", Email = "a@x.example" });
            await db.SaveChangesAsync();
        }

        await using var second = Context(database);
        second.Customers.Add(new Customer { ExternalId = "same", Name = "Second", Email = "b@x.example" });

        await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync());
        await using var check = Context(database);
        Assert.Equal("First", (await check.Customers.SingleAsync()).Name);
    }

    private static UsagePortalDbContext Context(TestDatabase database)
    {
        var options = new DbContextOptionsBuilder<UsagePortalDbContext>();
        DataExtensions.Configure(options, database.Provider, database.ConnectionString);
        return new UsagePortalDbContext(options.Options);
    }
}
