using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;
using UsagePortal.Web.Tests.Api;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// The API host with the background invoicer off and no grace period: tests run <see cref="InvoiceRunner"/> themselves,
/// at the moments they choose (<see cref="RunInvoicerAsync"/>), so that what a sweep does is what the test sees.
/// </summary>
public class BillingPortal : MeteringPortal
{
    public BillingPortal()
    {
    }

    protected BillingPortal(DatabaseProvider provider) : base(provider)
    {
    }

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [new("Billing:Enabled", "false"), new("Billing:GracePeriod", "00:00:00")];

    /// <summary>One invoicer sweep as a node whose clock reads <paramref name="now"/> (the real time when null).</summary>
    public Task<InvoiceRunResult> RunInvoicerAsync(DateTimeOffset? now = null) =>
        WithServicesAsync(services => Runner(services, now).RunOnceAsync());

    public static InvoiceRunner Runner(IServiceProvider services, DateTimeOffset? now = null) =>
        now is { } fixedNow
            ? ActivatorUtilities.CreateInstance<InvoiceRunner>(services, new TestClock(fixedNow))
            : services.GetRequiredService<InvoiceRunner>();

    /// <summary>A customer with the given billing settings; answers (id, externalId).</summary>
    public async Task<(int Id, string ExternalId)> CreateBillingCustomerAsync(string currency = "USD", string timeZone = "UTC", decimal taxRate = 0m)
    {
        var externalId = await CreateCustomerAsync("billing");
        return await WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = await db.Customers.SingleAsync(c => c.ExternalId == externalId);
            customer.Currency = currency;
            customer.TimeZone = timeZone;
            customer.TaxRate = taxRate;
            await db.SaveChangesAsync();
            return (customer.Id, externalId);
        });
    }

    /// <summary>Publishes a plan version straight into the database; answers its id.</summary>
    public Task<int> CreatePlanVersionAsync(string name, string currency, long flatFeeMinorUnits, long commitmentMinorUnits, params object[] charges) =>
        WithServicesAsync(async services =>
        {
            var json = JsonSerializer.Serialize(charges);
            var parsed = PlanTerms.ParseCharges(json);
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var plan = new Plan { Code = Unique.Name("plan"), CreatedAt = DateTime.UtcNow };
            var version = new PlanVersion
            {
                Plan = plan,
                Version = 1,
                Name = name,
                Currency = currency,
                FlatFeeMinorUnits = flatFeeMinorUnits,
                MinimumCommitmentMinorUnits = commitmentMinorUnits,
                ChargesJson = PlanTerms.WriteCharges(parsed),
                CreatedAt = DateTime.UtcNow,
            };
            db.PlanVersions.Add(version);
            await db.SaveChangesAsync();
            return version.Id;
        });

    /// <summary>Subscribes a customer from <paramref name="startsAt"/>; each further (version, from) pair is a plan change then.</summary>
    public Task<int> SubscribeAsync(int customerId, int planVersionId, DateTime startsAt, string timeZone = "UTC", string anchor = "calendar", params (int VersionId, DateTime From)[] changes) =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var phases = new List<SubscriptionPhase> { new() { PlanVersionId = planVersionId, StartsAt = startsAt } };
            foreach (var (versionId, from) in changes)
            {
                phases[^1].EndsAt = from;
                phases.Add(new SubscriptionPhase { PlanVersionId = versionId, StartsAt = from });
            }

            var subscription = new Subscription
            {
                CustomerId = customerId,
                BillingAnchor = anchor,
                TimeZone = timeZone,
                StartsAt = startsAt,
                CreatedAt = DateTime.UtcNow,
                Phases = phases,
            };
            SubscriptionSchedule.ScheduleFrom(subscription, startsAt);
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return subscription.Id;
        });

    /// <summary>Every invoice of a subscription with its lines, oldest period first.</summary>
    public Task<List<Invoice>> InvoicesAsync(int subscriptionId) =>
        WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking()
            .Include(i => i.Lines.OrderBy(l => l.Position))
            .Where(i => i.SubscriptionId == subscriptionId)
            .OrderBy(i => i.PeriodStart)
            .ToListAsync());
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class PostgresBillingPortal() : BillingPortal(DatabaseProvider.Postgres);

/// <summary>Charge JSON for tests.</summary>
public static class Charges
{
    public static object Standard(string meter, string unitAmount) =>
        new { meter, model = "standard", properties = new { unitAmount } };

    public static object Graduated(string meter, params (string From, string? To, string PerUnit, string Flat)[] ranges) =>
        new
        {
            meter,
            model = "graduated",
            properties = new { ranges = ranges.Select(r => new { fromValue = r.From, toValue = r.To, perUnitAmount = r.PerUnit, flatAmount = r.Flat }).ToArray() },
        };
}
