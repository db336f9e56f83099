using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Web.Tests.Api;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>The API host with the background invoicer off: these tests write invoices themselves and sweep credit expiry themselves.</summary>
public sealed class CreditsPortal : MeteringPortal
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Billing:Enabled", "false")];
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class PostgresCreditsPortal() : MeteringPortal(DatabaseProvider.Postgres)
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Billing:Enabled", "false")];
}

/// <summary>An invoice line to store, amounts in minor units.</summary>
public sealed record TestLine(string Description, long Amount, string Kind = "charge", string? Meter = null, string GroupKey = "", decimal Quantity = 1m, string? BreakdownJson = null);

/// <summary>
/// Billing rows written straight to the database, without the invoicer: customers, invoices (finalized with a
/// unique INV- number unless told otherwise), and credit consumed by an invoice as the invoicer records it.
/// </summary>
public static class CreditTestData
{
    public static readonly DateTime PeriodStart = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    public static Task<Customer> CreateBillingCustomerAsync(this PortalFactory portal, string currency = "USD", string prefix = "cred", string locale = "en-US", string timeZone = "UTC") =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var externalId = Unique.Name(prefix);
            var customer = new Customer { ExternalId = externalId, Name = $"Customer {externalId}", Email = $"{externalId}@example.test", Currency = currency, Locale = locale, TimeZone = timeZone, CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer;
        });

    /// <summary>Stores an invoice of <paramref name="customerId"/> with its lines; totals are the lines' sum less credits, plus tax.</summary>
    public static Task<Invoice> CreateInvoiceAsync(this PortalFactory portal, int customerId, string status = InvoiceStatuses.Finalized, IReadOnlyList<TestLine>? lines = null,
        long creditsApplied = 0, decimal taxRate = 0m, DateTime? periodStart = null, string currency = "USD") =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var start = periodStart ?? PeriodStart;
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
        });

    /// <summary>A grant stored directly (no validation: it may already have expired).</summary>
    public static Task<CreditGrant> CreateGrantAsync(this PortalFactory portal, int customerId, long amount, DateTime? expiresAt = null, long? remaining = null, string currency = "USD") =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var grant = new CreditGrant { CustomerId = customerId, Currency = currency, Amount = amount, Remaining = remaining ?? amount, Reason = "test grant", ExpiresAt = expiresAt, CreatedAt = DateTime.UtcNow.AddDays(-60), CreatedBy = "tests" };
            db.CreditGrants.Add(grant);
            await db.SaveChangesAsync();
            db.CreditLedger.Add(new CreditLedgerEntry { CreditGrantId = grant.Id, CustomerId = customerId, Kind = CreditMovements.Granted, Amount = amount, BalanceAfter = amount, At = grant.CreatedAt });
            await db.SaveChangesAsync();
            return grant;
        });

    /// <summary>What the invoicer does at finalization: takes <paramref name="amount"/> off the grant and records it against the invoice.</summary>
    public static Task ApplyCreditAsync(this PortalFactory portal, int grantId, long invoiceId, long amount) =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var grant = await db.CreditGrants.SingleAsync(g => g.Id == grantId);
            grant.Remaining -= amount;
            db.CreditLedger.Add(new CreditLedgerEntry { CreditGrantId = grantId, CustomerId = grant.CustomerId, Kind = CreditMovements.Applied, Amount = -amount, BalanceAfter = grant.Remaining, InvoiceId = invoiceId, At = DateTime.UtcNow.AddDays(-1) });
            await db.SaveChangesAsync();
        });

    /// <summary>The visible text of a page with no-break spaces (between an amount and its currency) read as spaces.</summary>
    public static string ReadText(string html) => PortalClient.Text(html).Replace('\u00a0', ' ');

    public static Task<T> WithDbAsync<T>(this PortalFactory portal, Func<UsagePortalDbContext, Task<T>> read) =>
        portal.WithServicesAsync(services => read(services.GetRequiredService<UsagePortalDbContext>()));

    public static Task<CreditGrant> GrantAsync(this PortalFactory portal, int grantId) =>
        portal.WithDbAsync(db => db.CreditGrants.AsNoTracking().SingleAsync(g => g.Id == grantId));

    public static Task<Invoice> InvoiceAsync(this PortalFactory portal, long invoiceId) =>
        portal.WithDbAsync(db => db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId));

    public static Task<List<CreditLedgerEntry>> LedgerAsync(this PortalFactory portal, int customerId) =>
        portal.WithDbAsync(db => db.CreditLedger.AsNoTracking().Where(e => e.CustomerId == customerId).OrderBy(e => e.Id).ToListAsync());

    /// <summary>How many grants, ledger entries, credit notes and audit entries a customer has: "nothing stored" compares these.</summary>
    public static Task<(int Grants, int Ledger, int Notes, int Audit)> CountsAsync(this PortalFactory portal, int customerId) =>
        portal.WithDbAsync(async db => (
            await db.CreditGrants.CountAsync(g => g.CustomerId == customerId),
            await db.CreditLedger.CountAsync(e => e.CustomerId == customerId),
            await db.CreditNotes.CountAsync(n => n.CustomerId == customerId),
            await db.AuditEntries.CountAsync(a => a.CustomerId == customerId)));
}
