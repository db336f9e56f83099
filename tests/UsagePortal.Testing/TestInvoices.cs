using UsagePortal.Data;
using UsagePortal.Data.Billing;

namespace UsagePortal.Testing;

/// <summary>An invoice line to store, amounts in minor units.</summary>
public sealed record TestLine(string Description, long Amount, string Kind = "charge", string? Meter = null, string GroupKey = "", decimal Quantity = 1m, string? BreakdownJson = null);

/// <summary>Invoices written straight to the database, without the invoicer, for tests that need one of a given shape.</summary>
public static class TestInvoices
{
    /// <summary>
    /// Stores an invoice of <paramref name="customerId"/> (and a subscription to hang it on) with its lines: finalized with a
    /// unique INV- number unless <paramref name="status"/> is a draft; totals are the lines' sum less credits, plus tax.
    /// </summary>
    public static async Task<Invoice> StoreAsync(UsagePortalDbContext db, int customerId, string status, IReadOnlyList<TestLine>? lines, long creditsApplied, decimal taxRate, DateTime start, string currency)
    {
        ArgumentNullException.ThrowIfNull(db);
        var subscription = new Subscription { CustomerId = customerId, BillingAnchor = "calendar", TimeZone = "UTC", StartsAt = start, CreatedAt = DateTime.UtcNow };
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync();

        lines ??= [new TestLine("API calls", 10_000, Meter: "api_calls", Quantity: 1000m)];
        var subtotal = lines.Sum(l => l.Amount);
        var taxable = subtotal - creditsApplied;
        var tax = (long)Math.Round(taxable * taxRate, MidpointRounding.AwayFromZero);
        var finalized = status != InvoiceStatuses.Draft;
        var invoice = new Invoice
        {
            Number = finalized ? $"INV-T{Guid.NewGuid():N}"[..17] : null,
            CustomerId = customerId,
            SubscriptionId = subscription.Id,
            PeriodStart = start,
            PeriodEnd = start.AddMonths(1),
            Status = status,
            Currency = currency,
            TaxRate = taxRate,
            Subtotal = subtotal,
            CreditsApplied = creditsApplied,
            Tax = tax,
            Total = taxable + tax,
            UsageReadAt = start.AddMonths(1),
            CreatedAt = start.AddMonths(1),
            // A draft's grace period lies far ahead, so that no invoicer finalizes it under a test.
            FinalizesAt = finalized ? start.AddMonths(1).AddHours(1) : DateTime.UtcNow.AddDays(30),
            FinalizedAt = finalized ? start.AddMonths(1).AddHours(1) : null,
            PaidAt = status == InvoiceStatuses.Paid ? start.AddMonths(1).AddDays(2) : null,
            Lines = lines.Select((l, i) => new InvoiceLine
            {
                Position = i + 1,
                Kind = l.Kind,
                Description = l.Description,
                MeterCode = l.Meter,
                GroupKey = l.GroupKey,
                Quantity = l.Quantity,
                ExactAmount = l.Amount / 100m,
                Amount = l.Amount,
                BreakdownJson = l.BreakdownJson,
                UsageFrom = start,
                UsageTo = start.AddMonths(1),
            }).ToList(),
        };
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync();
        return invoice;
    }
}
