using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Auditing;
using UsagePortal.Data.Billing;

namespace UsagePortal.Domain.Customers;

/// <summary>The amount invoices in one currency came to, and how many there were.</summary>
public sealed record CurrencyTotal(string Currency, long Total, int Invoices);

/// <summary>A subscription the invoicer could not invoice, with its customer, for the admin's attention.</summary>
public sealed record FailingSubscription(int SubscriptionId, int CustomerId, string CustomerName, int Failures, DateTime? FailedAt, string? Error, DateTime? RetryAt);

/// <summary>
/// The business at a glance, for the operator's home page. "This month" is the calendar month in UTC, the operator's
/// own clock (customers are billed in their own zones, so one operator-wide month has to pick one).
/// </summary>
/// <param name="MonthStart">The start of this month, UTC.</param>
/// <param name="FinalizedThisMonth">Invoices finalized this month and not voided, per currency (amounts are never added across currencies).</param>
/// <param name="Drafts">Draft invoices waiting for their grace period to end.</param>
/// <param name="NextFinalization">When the first of them is finalized; null without drafts.</param>
/// <param name="FailingCount">How many subscriptions fail to invoice; <paramref name="Failing"/> lists the most recent ones.</param>
public sealed record AdminOverview(
    int Customers,
    int ActiveSubscriptions,
    DateTime MonthStart,
    IReadOnlyList<CurrencyTotal> FinalizedThisMonth,
    int Drafts,
    DateTime? NextFinalization,
    int FailingCount,
    IReadOnlyList<FailingSubscription> Failing,
    IReadOnlyList<AuditEntry> LatestAudit);

/// <summary>Reads <see cref="AdminOverview"/>: a few aggregate queries, each answered by the database, not by loading rows.</summary>
public sealed class AdminOverviewQuery(UsagePortalDbContext db, TimeProvider clock)
{
    /// <summary>How many failing subscriptions and audit entries the page lists.</summary>
    public const int FailingShown = 10;

    public const int AuditShown = 6;

    public async Task<AdminOverview> GetAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var monthStart = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var nextMonth = monthStart.AddMonths(1);

        var customers = await db.Customers.CountAsync(cancellationToken);
        var active = await db.Subscriptions.CountAsync(s => s.StartsAt <= now && (s.EndsAt == null || s.EndsAt > now), cancellationToken);
        string[] counted = [InvoiceStatuses.Finalized, InvoiceStatuses.Paid, InvoiceStatuses.PaymentFailed];
        var totals = await db.Invoices.AsNoTracking()
            .Where(i => counted.Contains(i.Status) && i.FinalizedAt >= monthStart && i.FinalizedAt < nextMonth)
            .GroupBy(i => i.Currency)
            .Select(g => new CurrencyTotal(g.Key, g.Sum(i => i.Total), g.Count()))
            .ToListAsync(cancellationToken);
        var draftInvoices = db.Invoices.Where(i => i.Status == InvoiceStatuses.Draft);
        var drafts = await draftInvoices.CountAsync(cancellationToken);
        var nextFinalization = drafts == 0 ? null : await draftInvoices.MinAsync(i => (DateTime?)i.FinalizesAt, cancellationToken);
        var failingCount = await db.Subscriptions.CountAsync(s => s.BillingFailures > 0, cancellationToken);
        var failing = failingCount == 0
            ? []
            : await (from s in db.Subscriptions.AsNoTracking()
                     where s.BillingFailures > 0
                     join c in db.Customers on s.CustomerId equals c.Id
                     orderby s.BillingFailedAt descending, s.Id
                     select new FailingSubscription(s.Id, c.Id, c.Name, s.BillingFailures, s.BillingFailedAt, s.BillingError, s.BillingRetryAt))
                .Take(FailingShown)
                .ToListAsync(cancellationToken);
        var audit = await db.AuditEntries.AsNoTracking().OrderByDescending(a => a.Id).Take(AuditShown).ToListAsync(cancellationToken);

        return new AdminOverview(
            customers,
            active,
            monthStart,
            [.. totals.OrderBy(t => t.Currency, StringComparer.Ordinal)],
            drafts,
            nextFinalization,
            failingCount,
            failing,
            audit);
    }
}
