using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Web.Api;

namespace UsagePortal.Web.Tests.Api;

/// <summary>
/// The real app on a fresh database of its own, for tests of the public API. The demo's two months of generated
/// usage are not seeded (they take most of a start-up and would only get in the way); the demo operator key
/// (<see cref="DemoSettings.OperatorApiKey"/>) is stored exactly as the demo seed stores it. Test classes make
/// their own customers and meters, with unique names, so that any number of them can share one host.
/// </summary>
public class MeteringPortal : PortalFactory
{
    private readonly Lazy<Task> ready;

    public MeteringPortal() : this(DatabaseProvider.Sqlite)
    {
    }

    protected MeteringPortal(DatabaseProvider provider) : base(provider)
    {
        ready = new Lazy<Task>(StoreDemoKeyAsync);
    }

    protected sealed override IEnumerable<KeyValuePair<string, string>> Settings =>
        [new("Demo:Seed", "false"), .. ExtraSettings];

    /// <summary>Settings a subclass adds, such as small ingestion limits.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ExtraSettings => [];

    /// <summary>A client that sends <paramref name="apiKey"/> (the demo operator key by default) as a bearer token.</summary>
    public async Task<HttpClient> ApiClientAsync(string? apiKey = null)
    {
        await ready.Value;
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? DemoSettings.OperatorApiKey);
        return client;
    }

    /// <summary>A client that sends no key at all.</summary>
    public async Task<HttpClient> AnonymousClientAsync()
    {
        await ready.Value;
        return CreateClient();
    }

    /// <summary>A new customer (there is no customers API yet); answers its externalId.</summary>
    public async Task<string> CreateCustomerAsync(string prefix = "cust")
    {
        await ready.Value;
        var externalId = Unique.Name(prefix);
        await WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            db.Customers.Add(new Customer { ExternalId = externalId, Name = externalId, Email = $"{externalId}@example.test", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        return externalId;
    }

    /// <summary>How many events are stored under these ids (any source).</summary>
    public Task<int> StoredEventCountAsync(IReadOnlyCollection<string> eventIds) =>
        WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().UsageEvents.CountAsync(e => eventIds.Contains(e.EventId)));

    /// <summary>The storage sequence (row id) of every stored event of a customer, by (source, id).</summary>
    public Task<Dictionary<(string Source, string Id), long>> StoredSequencesAsync(string externalId) =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customerId = await db.Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync();
            var rows = await db.UsageEvents.Where(e => e.CustomerId == customerId).Select(e => new { e.Source, e.EventId, e.Id }).ToListAsync();
            return rows.ToDictionary(r => (r.Source, r.EventId), r => r.Id);
        });

    /// <summary>How many daily rollup rows the customer has, and whether the database's daily tier is complete from its start.</summary>
    public Task<(int DailyRows, bool CompleteFromTheStart)> DailyTierAsync(string externalId) =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customerId = await db.Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync();
            var rows = await db.UsageDailyRollups.CountAsync(r => r.CustomerId == customerId);
            var completeFrom = await db.RollupTierStates.Select(t => t.DailyCompleteFrom).SingleAsync();
            return (rows, completeFrom == DateTime.MinValue);
        });

    private Task StoreDemoKeyAsync() =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var hash = ApiKeys.Hash(DemoSettings.OperatorApiKey);
            if (!await db.ApiKeys.AnyAsync(k => k.KeyHash == hash))
            {
                db.ApiKeys.Add(ApiKeys.Stored(DemoSettings.OperatorApiKey, "Demo operator backend", "test", DateTime.UtcNow));
                await db.SaveChangesAsync();
            }
        });
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class PostgresMeteringPortal() : MeteringPortal(DatabaseProvider.Postgres);

/// <summary>One SQLite host shared by the API and ingestion test classes that need no special settings.</summary>
[CollectionDefinition(Name)]
public sealed class MeteringApiCollection : ICollectionFixture<MeteringPortal>
{
    public const string Name = "Metering API on SQLite";
}

public static class Unique
{
    /// <summary>A name no other test uses: <c>prefix-0123abcd…</c>.</summary>
    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A meter code no other test uses (codes are lowercase letters, digits and underscores).</summary>
    public static string MeterCode(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 64)];

    /// <summary>An event type no other test's meters read.</summary>
    public static string EventType(string prefix) => $"{prefix}.{Guid.NewGuid():N}";
}
