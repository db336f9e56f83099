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

    /// <summary>Stores an invoice of <paramref name="customerId"/> with its lines (<see cref="TestInvoices"/>).</summary>
    public static Task<Invoice> CreateInvoiceAsync(this PortalFactory portal, int customerId, string status = InvoiceStatuses.Finalized, IReadOnlyList<TestLine>? lines = null,
        long creditsApplied = 0, decimal taxRate = 0m, DateTime? periodStart = null, string currency = "USD") =>
        portal.WithServicesAsync(services => TestInvoices.StoreAsync(services.GetRequiredService<UsagePortalDbContext>(), customerId, status, lines, creditsApplied, taxRate, periodStart ?? PeriodStart, currency));

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
