using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>Plans and subscriptions written straight into the database, as the plans and subscriptions APIs will store them.</summary>
internal static class CostFixtures
{
    /// <summary>
    /// Puts <paramref name="externalId"/> on a new plan of <paramref name="chargesJson"/> (a JSON array in the charge JSON of
    /// PRODUCT.md) from <paramref name="startsAt"/>, billed in <paramref name="zone"/>; sets the customer's zone and currency to match.
    /// </summary>
    public static Task<int> SubscribeAsync(this PortalFactory portal, string externalId, string chargesJson, DateTime startsAt,
        string currency = "USD", long flatFee = 0, long minimumCommitment = 0, string zone = "UTC", string anchor = "calendar", DateTime? endsAt = null) =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = await db.Customers.SingleAsync(c => c.ExternalId == externalId);
            customer.TimeZone = zone;
            customer.Currency = currency;
            var version = new PlanVersion
            {
                Plan = new Plan { Code = Unique.Name("plan"), CreatedAt = startsAt },
                Version = 1,
                Name = "Scale",
                Currency = currency,
                FlatFeeMinorUnits = flatFee,
                MinimumCommitmentMinorUnits = minimumCommitment,
                ChargesJson = PlanTerms.WriteCharges(PlanTerms.ParseCharges(chargesJson)),
                CreatedAt = startsAt,
            };
            var subscription = new Subscription
            {
                CustomerId = customer.Id,
                BillingAnchor = anchor,
                TimeZone = zone,
                StartsAt = startsAt,
                EndsAt = endsAt,
                CreatedAt = startsAt,
                Phases = [new SubscriptionPhase { PlanVersion = version, StartsAt = startsAt, EndsAt = endsAt }],
            };
            SubscriptionSchedule.ScheduleFrom(subscription, startsAt);
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return subscription.Id;
        });

    public static Task<int> CustomerIdAsync(this PortalFactory portal, string externalId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync());

    public static Task<CurrentCost?> CurrentCostAsync(this PortalFactory portal, int customerId, DateTime now) =>
        portal.WithServicesAsync(services => services.GetRequiredService<CostQuery>().CurrentAsync(customerId, now));

    /// <summary>Sends events in batches the API accepts.</summary>
    public static async Task IngestAllAsync(this HttpClient api, IReadOnlyList<JsonNode> events)
    {
        foreach (var chunk in events.Chunk(500))
        {
            await api.IngestBatchAsync(chunk);
        }
    }

    /// <summary><paramref name="count"/> events of <paramref name="type"/> a minute apart from <paramref name="at"/>.</summary>
    public static IEnumerable<JsonNode> Events(string type, string customer, DateTimeOffset at, int count, object? data = null) =>
        Enumerable.Range(0, count).Select(i => (JsonNode)Event(Unique.Name("e"), type, customer, at.AddMinutes(i), data));

    public static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);
}

/// <summary>
/// The API host of <see cref="MeteringPortal"/> with a <see cref="TestClock"/>, so that "the current period" and "now"
/// are fixed instants and amounts can be checked to the cent.
/// </summary>
public sealed class FrozenClockPortal : MeteringPortal
{
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 3, 11, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The invoicer stays off: it would close the tests' past periods behind their backs.</summary>
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Billing:Enabled", "false")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>One frozen-clock host shared by the cost API and dashboard test classes.</summary>
[CollectionDefinition(Name)]
public sealed class FrozenClockCollection : ICollectionFixture<FrozenClockPortal>
{
    public const string Name = "Frozen clock on SQLite";
}
