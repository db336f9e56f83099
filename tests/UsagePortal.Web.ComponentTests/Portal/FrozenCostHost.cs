using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Metering;
using UsagePortal.Pricing;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>
/// The real app with a <see cref="TestClock"/> standing at noon UTC on Wednesday 11 March 2026, so that "the current period" and "now" are fixed instants and amounts can
/// be checked to the cent. No demo (tests make their own organisations) and no invoicer (it would close their periods).
/// </summary>
public sealed class FrozenCostHost : PortalFactory
{
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 3, 11, 12, 0, 0, TimeSpan.Zero));

    public new IServiceProvider Services => base.Services;

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Demo:Seed", "false"), new("Billing:Enabled", "false")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    public static DateTime Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    /// <summary>A new organisation; answers its id and externalId.</summary>
    public Task<(int Id, string ExternalId)> CreateCustomerAsync(string prefix) =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Customer { ExternalId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)], Name = prefix, Email = $"{prefix}@example.test", CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return (customer.Id, customer.ExternalId);
        });

    public Task CreateMeterAsync(string code, string eventType, MeterAggregation aggregation, string? property = null) =>
        WithServicesAsync(async services =>
        {
            var saved = await services.GetRequiredService<MeterService>().SaveAsync(
                new MeterDefinition { Code = code, Name = $"Meter {code}", EventType = eventType, Aggregation = aggregation, Property = property }, "tests");
            Assert.True(saved.Succeeded, string.Join("; ", saved.Errors.Select(e => $"{e.Field}: {e.Reason}")));
        });

    /// <summary>
    /// Puts <paramref name="externalId"/> on a new plan "Scale" of <paramref name="chargesJson"/> from <paramref name="startsAt"/>,
    /// billed in <paramref name="zone"/>; sets the customer's zone, currency and locale to match.
    /// </summary>
    public Task SubscribeAsync(string externalId, string chargesJson, DateTime startsAt, string currency = "USD", long flatFee = 0, string zone = "UTC", string locale = "en-US") =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = await db.Customers.SingleAsync(c => c.ExternalId == externalId);
            customer.TimeZone = zone;
            customer.Currency = currency;
            customer.Locale = locale;
            var version = new PlanVersion
            {
                Plan = new Plan { Code = $"plan-{Guid.NewGuid():N}", CreatedAt = startsAt },
                Version = 1,
                Name = "Scale",
                Currency = currency,
                FlatFeeMinorUnits = flatFee,
                ChargesJson = PlanTerms.WriteCharges(PlanTerms.ParseCharges(chargesJson)),
                CreatedAt = startsAt,
            };
            var subscription = new Subscription
            {
                CustomerId = customer.Id,
                BillingAnchor = "calendar",
                TimeZone = zone,
                StartsAt = startsAt,
                CreatedAt = startsAt,
                Phases = [new SubscriptionPhase { PlanVersion = version, StartsAt = startsAt }],
            };
            SubscriptionSchedule.ScheduleFrom(subscription, startsAt);
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
        });

    /// <summary>
    /// The tiered organisation of the cost query's tests: calls priced 0.10 up to 100 and 0.05 beyond, peak storage at
    /// 0.50 a GB, a flat fee of 10.00; 105 calls and a 60 GB peak by now. Cost so far 50.25 USD, projected 60.50 USD
    /// (59.43 to 61.57).
    /// </summary>
    public async Task<(int Id, string ExternalId, string Calls, string CallType)> TieredCustomerAsync()
    {
        var (id, customer) = await CreateCustomerAsync("cost");
        var calls = $"calls_{Guid.NewGuid():N}"[..22];
        var storage = $"storage_{Guid.NewGuid():N}"[..24];
        var callType = $"cost.call.{Guid.NewGuid():N}";
        var storageType = $"cost.storage.{Guid.NewGuid():N}";
        await CreateMeterAsync(calls, callType, MeterAggregation.Count);
        await CreateMeterAsync(storage, storageType, MeterAggregation.Max, "gb");
        await SubscribeAsync(customer, $$"""
            [{ "meter": "{{calls}}", "model": "graduated", "properties": { "ranges": [
                 { "fromValue": "0", "toValue": "100", "perUnitAmount": "0.10", "flatAmount": "0" },
                 { "fromValue": "100", "toValue": null, "perUnitAmount": "0.05", "flatAmount": "0" } ] } },
             { "meter": "{{storage}}", "model": "standard", "properties": { "unitAmount": "0.50" } }]
            """, Utc(2026, 3, 1), flatFee: 1000);
        for (var day = 1; day <= 10; day++)
        {
            await this.IngestAsync(customer, callType, new { }, Utc(2026, 3, day, 9), day % 2 == 1 ? 8 : 12);
        }

        await this.IngestAsync(customer, callType, new { }, Utc(2026, 3, 11, 1), 5);
        await this.IngestAsync(customer, storageType, new { gb = 40 }, Utc(2026, 3, 2, 10));
        await this.IngestAsync(customer, storageType, new { gb = 60 }, Utc(2026, 3, 5, 10));
        return (id, customer, calls, callType);
    }
}

[CollectionDefinition(Name)]
public sealed class FrozenCostCollection : ICollectionFixture<FrozenCostHost>
{
    public const string Name = "Frozen clock";
}

/// <summary>The bunit renderer on <see cref="FrozenCostHost"/>'s services, interactive as in the app (see <see cref="ComponentTest"/>).</summary>
public abstract class FrozenCostTest : BunitContext, IAsyncLifetime
{
    private readonly AsyncServiceScope appScope;

    protected FrozenCostTest(FrozenCostHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        JSInterop.Mode = JSRuntimeMode.Loose;
        // bunit brings a clock of its own, which would hide the app's frozen one.
        Services.AddSingleton<TimeProvider>(host.Clock);
        Services.AddMudServices();
        appScope = host.Services.CreateAsyncScope();
        Services.AddFallbackServiceProvider(appScope.ServiceProvider);
        Authorization = AddAuthorization();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected FrozenCostHost Host { get; }

    protected BunitAuthorizationContext Authorization { get; }

    protected void SignInAsOwnerOf(int customerId)
    {
        Authorization.SetAuthorized($"owner-{customerId}@example.test");
        Authorization.SetRoles(Roles.CustomerOwner);
        Authorization.SetClaims(
            new Claim(CustomerClaims.CustomerId, customerId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(CustomerClaims.DisplayName, "Owner"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await appScope.DisposeAsync();
    }
}
