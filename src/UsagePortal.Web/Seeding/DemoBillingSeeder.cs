using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;

namespace UsagePortal.Web.Seeding;

/// <summary>
/// The demo's billing: a plan per currency that uses several pricing models (graduated per region, package per model,
/// volume, standard with a free allowance, a flat fee and a minimum commitment), a subscription for each demo customer
/// from the first day of the seeded usage, and a welcome credit. The invoicer then invoices the closed months.
/// Idempotent: it adds only what is missing.
/// </summary>
internal sealed class DemoBillingSeeder(UsagePortalDbContext db, CreditService credits, IOptions<DemoOptions> options, TimeProvider clock, ILogger<DemoBillingSeeder> logger)
{
    private const string Charges = """
        [
          { "meter": "api_calls", "model": "graduated", "properties": { "ranges": [
              { "fromValue": "0", "toValue": "2000", "perUnitAmount": "0", "flatAmount": "0" },
              { "fromValue": "2000", "toValue": "20000", "perUnitAmount": "0.004", "flatAmount": "0" },
              { "fromValue": "20000", "toValue": null, "perUnitAmount": "0.0025", "flatAmount": "0" } ] } },
          { "meter": "llm_tokens", "model": "package", "properties": { "amount": "0.80", "packageSize": "100000", "freeUnits": "50000" } },
          { "meter": "storage_gb", "model": "volume", "properties": { "ranges": [
              { "fromValue": "0", "toValue": "250", "perUnitAmount": "0.10", "flatAmount": "0" },
              { "fromValue": "250", "toValue": "500", "perUnitAmount": "0.08", "flatAmount": "5" },
              { "fromValue": "500", "toValue": null, "perUnitAmount": "0.06", "flatAmount": "10" } ] } },
          { "meter": "active_users", "model": "standard", "properties": { "unitAmount": "2.00" }, "freeAllowance": "10" }
        ]
        """;

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        var demo = options.Value;
        var growth = await EnsurePlanAsync("growth", "Growth", "USD", flatFee: 4900, commitment: 5000, cancellationToken);
        var growthEu = await EnsurePlanAsync("growth-eu", "Growth (EUR)", "EUR", flatFee: 3900, commitment: 12000, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (externalId, version, credit) in new[] { (demo.CustomerExternalId, growth, "25.00"), ("globex", growthEu, null) })
        {
            var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
            if (customer is null || await db.Subscriptions.AnyAsync(s => s.CustomerId == customer.Id, cancellationToken))
            {
                continue;
            }

            Subscribe(customer, version, now);
            await db.SaveChangesAsync(cancellationToken);
            if (credit is not null)
            {
                var (_, errors) = await credits.GrantAsync(customer.Id, credit, "Welcome credit", now.AddMonths(6), "demo-seed", cancellationToken);
                if (errors.Count > 0)
                {
                    throw new InvalidOperationException("The demo credit is invalid: " + string.Join("; ", errors));
                }

                // A budget to show: alerts at 80 % of it spent and at 100 % projected, no cap, no e-mail or webhook.
                db.Budgets.Add(new Budget
                {
                    CustomerId = customer.Id,
                    Amount = 250_00,
                    UpdatedAt = now,
                    Thresholds =
                    [
                        new BudgetThreshold { CustomerId = customer.Id, Percent = 80m, Basis = SpendBases.Actual, CreatedAt = now },
                        new BudgetThreshold { CustomerId = customer.Id, Percent = 100m, Basis = SpendBases.Projected, CreatedAt = now },
                    ],
                });
                await db.SaveChangesAsync(cancellationToken);
            }

            logger.LogInformation("Seeded the demo subscription of {ExternalId}.", externalId);
        }
    }

    private async Task<PlanVersion> EnsurePlanAsync(string code, string name, string currency, long flatFee, long commitment, CancellationToken cancellationToken)
    {
        var existing = await db.PlanVersions.Include(v => v.Plan).Where(v => v.Plan!.Code == code).OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        using var document = JsonDocument.Parse(Charges);
        var errors = new List<ValidationError>();
        var charges = PlanTerms.ParseCharges(document.RootElement, "charges", errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The demo plan is invalid: " + string.Join("; ", errors));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var version = new PlanVersion
        {
            Plan = new Plan { Code = code, CreatedAt = now },
            Version = 1,
            Name = name,
            Currency = currency,
            FlatFeeMinorUnits = flatFee,
            MinimumCommitmentMinorUnits = commitment,
            ChargesJson = PlanTerms.WriteCharges(charges),
            CreatedAt = now,
            CreatedBy = "demo-seed",
        };
        db.PlanVersions.Add(version);
        await db.SaveChangesAsync(cancellationToken);
        return version;
    }

    /// <summary>From the first day of the seeded usage (two months before this one), calendar months in the customer's zone.</summary>
    private void Subscribe(Customer customer, PlanVersion version, DateTime now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(customer.TimeZone);
        var local = TimeZoneInfo.ConvertTimeFromUtc(now, zone);
        var localStart = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(-2);
        var subscription = new Subscription
        {
            CustomerId = customer.Id,
            BillingAnchor = BillingAnchorNames.ToName(BillingAnchor.Calendar),
            TimeZone = customer.TimeZone,
            StartsAt = TimeZoneInfo.ConvertTimeToUtc(localStart, zone),
            CreatedAt = now,
            CreatedBy = "demo-seed",
        };
        subscription.Phases.Add(new SubscriptionPhase { PlanVersionId = version.Id, StartsAt = subscription.StartsAt });
        SubscriptionSchedule.ScheduleFrom(subscription, subscription.StartsAt);
        db.Subscriptions.Add(subscription);
    }
}
