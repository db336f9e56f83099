using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>The seeded demo: plans using several pricing models, subscriptions, and its closed months already invoiced.</summary>
public sealed class DemoBillingTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task The_demo_customers_have_their_two_closed_months_invoiced_at_start_up()
    {
        var invoices = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            return await db.Invoices.AsNoTracking().Include(i => i.Lines)
                .Join(db.Customers, i => i.CustomerId, c => c.Id, (i, c) => new { c.ExternalId, Invoice = i })
                .ToListAsync();
        });

        var acme = invoices.Where(i => i.ExternalId == DemoSettings.CustomerExternalId).Select(i => i.Invoice).OrderBy(i => i.PeriodStart).ToList();
        var globex = invoices.Where(i => i.ExternalId == "globex").Select(i => i.Invoice).OrderBy(i => i.PeriodStart).ToList();
        Assert.Equal(2, acme.Count);
        Assert.Equal(2, globex.Count);
        Assert.Equal(acme[0].PeriodEnd, acme[1].PeriodStart);
        Assert.True(acme[1].PeriodEnd <= DateTime.UtcNow);

        // Within the first hour of a month the latest one may still be in its grace period.
        var finalized = invoices.Select(i => i.Invoice).Where(i => i.Status == InvoiceStatuses.Finalized).ToList();
        Assert.True(finalized.Count >= 3);
        Assert.All(finalized, i => Assert.Matches("^INV-[0-9]{6}$", i.Number));

        var first = acme[0];
        Assert.Equal(["api_calls", "llm_tokens", "storage_gb", "active_users"], first.Lines.Where(l => l.Kind == "charge").Select(l => l.MeterCode).Distinct());
        Assert.Contains(first.Lines, l => l.Kind == "charge" && l.MeterCode == "api_calls" && l.GroupKey.Contains("eu-west", StringComparison.Ordinal));
        Assert.Contains(first.Lines, l => l.Kind == "flat_fee" && l.Amount == 4900);
        Assert.Equal(first.Lines.Sum(l => l.Amount), first.Subtotal);
        Assert.Equal(first.Subtotal - first.CreditsApplied + first.Tax, first.Total);
        Assert.Equal(2500, first.CreditsApplied);

        // Globex uses 40 % of Acme's volume: below its commitment of 120.00 EUR, so a true-up tops it up.
        var trueUp = Assert.Single(globex[0].Lines, l => l.Kind == "minimum_commitment");
        Assert.Equal(12000, globex[0].Lines.Where(l => l.Kind is "charge" or "minimum_commitment").Sum(l => l.Amount));
        Assert.True(trueUp.Amount > 0);
    }
}
