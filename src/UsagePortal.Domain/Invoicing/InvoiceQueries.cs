using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Domain.Invoicing;

/// <summary>What an invoice list can be sorted by.</summary>
public enum InvoiceSortField
{
    /// <summary>The billing period's start (the default, newest first).</summary>
    Period,
    Number,
    Customer,
    Status,
    Total,

    /// <summary>When it was finalized (drafts by when they will be).</summary>
    Issued,
}

/// <summary>One page of an invoice list: filters, sort, and the zero-based page.</summary>
public sealed record InvoiceListQuery
{
    public int Page { get; init; }

    public int PageSize { get; init; } = 25;

    /// <summary>A wire status (<see cref="InvoiceStatuses"/>); null or unknown: every status.</summary>
    public string? Status { get; init; }

    /// <summary>Only invoices in this payment state (<see cref="Data.Payments.PaymentStates"/>); null or unknown: any.</summary>
    public string? PaymentState { get; init; }

    /// <summary>Only this customer's invoices (the portal always sets it to the user's organisation).</summary>
    public int? CustomerId { get; init; }

    /// <summary>Only invoices whose billing period falls in this calendar month (the day is ignored).</summary>
    public DateOnly? Month { get; init; }

    public InvoiceSortField Sort { get; init; } = InvoiceSortField.Period;

    public bool Descending { get; init; } = true;
}

/// <summary>An invoice (without its lines) and its customer, whose locale and time zone format it.</summary>
public sealed record InvoiceRow(Invoice Invoice, Customer Customer);

public sealed record InvoiceListPage(IReadOnlyList<InvoiceRow> Items, int TotalItems);

/// <summary>
/// An invoice as its page shows it, with what may be done to it now: each action is allowed when its reason not to is
/// null (the statuses' rules are <see cref="InvoiceStateMachine"/>'s; a credited invoice is not voided as well; a credit
/// note is at most <see cref="Creditable"/>).
/// </summary>
public sealed record InvoiceDetails(InvoiceDocument Document, Customer Customer, long Creditable, string? WhyNotFinalize, string? WhyNotVoid, string? WhyNotCredit)
{
    public Invoice Invoice => Document.Invoice;

    public bool CanFinalize => WhyNotFinalize is null;

    public bool CanVoid => WhyNotVoid is null;

    public bool CanCredit => WhyNotCredit is null;
}

/// <summary>Reads invoices for the invoice pages: lists (paged, sorted, filtered) and one invoice with its allowed actions.</summary>
public sealed class InvoiceQueries(UsagePortalDbContext db)
{
    /// <summary>A customer's local midnight is at most 14 hours from UTC's: a period of a month starts and ends within that of the month's UTC bounds.</summary>
    private static readonly TimeSpan ZoneSlack = TimeSpan.FromHours(14);

    public async Task<InvoiceListPage> ListAsync(InvoiceListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows = from invoice in db.Invoices.AsNoTracking()
                   join customer in db.Customers.AsNoTracking() on invoice.CustomerId equals customer.Id
                   select new { Invoice = invoice, Customer = customer };
        if (InvoiceStateMachine.IsKnown(query.Status))
        {
            rows = rows.Where(r => r.Invoice.Status == query.Status);
        }

        if (query.PaymentState is { } paymentState && PaymentStateNames.All.Contains(paymentState))
        {
            rows = rows.Where(r => r.Invoice.PaymentState == paymentState);
        }

        if (query.CustomerId is { } customerId)
        {
            rows = rows.Where(r => r.Invoice.CustomerId == customerId);
        }

        if (query.Month is { } month)
        {
            // Periods start at the customer's midnight, in any zone: one that overlaps the month by more than a
            // zone's offset is that month's (a neighbour month's period only touches it by the offset).
            var start = new DateTime(month.Year, month.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            var from = start + ZoneSlack;
            var until = start.AddMonths(1) - ZoneSlack;
            rows = rows.Where(r => r.Invoice.PeriodStart < until && r.Invoice.PeriodEnd > from);
        }

        var total = await rows.CountAsync(cancellationToken);
        var sorted = (query.Sort, query.Descending) switch
        {
            (InvoiceSortField.Number, false) => rows.OrderBy(r => r.Invoice.Number),
            (InvoiceSortField.Number, true) => rows.OrderByDescending(r => r.Invoice.Number),
            (InvoiceSortField.Customer, false) => rows.OrderBy(r => r.Customer.Name),
            (InvoiceSortField.Customer, true) => rows.OrderByDescending(r => r.Customer.Name),
            (InvoiceSortField.Status, false) => rows.OrderBy(r => r.Invoice.Status),
            (InvoiceSortField.Status, true) => rows.OrderByDescending(r => r.Invoice.Status),
            (InvoiceSortField.Total, false) => rows.OrderBy(r => r.Invoice.Total),
            (InvoiceSortField.Total, true) => rows.OrderByDescending(r => r.Invoice.Total),
            (InvoiceSortField.Issued, false) => rows.OrderBy(r => r.Invoice.FinalizedAt ?? r.Invoice.FinalizesAt),
            (InvoiceSortField.Issued, true) => rows.OrderByDescending(r => r.Invoice.FinalizedAt ?? r.Invoice.FinalizesAt),
            (_, false) => rows.OrderBy(r => r.Invoice.PeriodStart),
            (_, true) => rows.OrderByDescending(r => r.Invoice.PeriodStart),
        };
        // The id last, so that equal keys keep one order from page to page.
        var ordered = query.Descending ? sorted.ThenByDescending(r => r.Invoice.Id) : sorted.ThenBy(r => r.Invoice.Id);
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var page = await ordered.Skip(Math.Max(0, query.Page) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new InvoiceListPage([.. page.Select(r => new InvoiceRow(r.Invoice, r.Customer))], total);
    }

    /// <summary>
    /// One invoice with its lines, credit notes, customer and allowed actions; null when there is none, or when
    /// <paramref name="customerId"/> is given and it belongs to another organisation (the portal answers both alike).
    /// </summary>
    public async Task<InvoiceDetails?> FindAsync(long invoiceId, int? customerId = null, CancellationToken cancellationToken = default)
    {
        var query = db.Invoices.Where(i => i.Id == invoiceId);
        if (customerId is { } owner)
        {
            query = query.Where(i => i.CustomerId == owner);
        }

        var document = (await InvoiceAnswers.LoadAsync(db, query, cancellationToken)).SingleOrDefault();
        if (document is null)
        {
            return null;
        }

        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == document.Invoice.CustomerId, cancellationToken);
        var status = document.Invoice.Status;
        var creditable = InvoiceCorrections.Creditable(document.Invoice, document.CreditNotes);
        var whyNotCredit = InvoiceStateMachine.WhyNot(status, InvoiceAction.IssueCreditNote)
            ?? (creditable <= 0 ? "Nothing is left to credit: credit notes already cover this invoice's whole total." : null);
        return new InvoiceDetails(document, customer, creditable,
            InvoiceStateMachine.WhyNot(status, InvoiceAction.Finalize),
            InvoiceCorrections.WhyNotVoid(status, document.CreditNotes.Count),
            whyNotCredit);
    }

    /// <summary>
    /// The API's list: at most <paramref name="take"/> invoices with their lines and credit notes, newest period first,
    /// of one customer (by external id) and of one status when given; null when no customer has that external id.
    /// </summary>
    public async Task<IReadOnlyList<InvoiceDocument>?> DocumentsAsync(string? customerExternalId, string? status, int take, CancellationToken cancellationToken = default)
    {
        var query = db.Invoices.AsQueryable();
        if (customerExternalId is not null)
        {
            var customerId = await db.Customers.Where(c => c.ExternalId == customerExternalId).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (customerId is null)
            {
                return null;
            }

            query = query.Where(i => i.CustomerId == customerId);
        }

        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }

        return await InvoiceAnswers.LoadAsync(db, query.OrderByDescending(i => i.PeriodStart).ThenByDescending(i => i.Id).Take(take), cancellationToken);
    }

    /// <summary>One invoice with its lines and credit notes as stored now (read untracked, so a change made in this scope shows); null when there is none.</summary>
    public Task<InvoiceDocument?> DocumentAsync(long invoiceId, CancellationToken cancellationToken = default) =>
        InvoiceAnswers.LoadOneAsync(db, invoiceId, cancellationToken);

    /// <summary>The start of the oldest invoice's period (the period filter offers the months from there); null when there is no invoice.</summary>
    public async Task<DateTime?> FirstPeriodStartAsync(CancellationToken cancellationToken = default) =>
        await db.Invoices.AsNoTracking().MinAsync(i => (DateTime?)i.PeriodStart, cancellationToken);

    /// <summary>Customers to filter the list by, found by name or external id.</summary>
    public Task<IReadOnlyList<CustomerChoice>> SearchCustomersAsync(string? text, int max = 20, CancellationToken cancellationToken = default) =>
        CustomerChoices.SearchAsync(db, text, max, cancellationToken);

    public Task<CustomerChoice?> FindCustomerAsync(int id, CancellationToken cancellationToken = default) =>
        CustomerChoices.FindAsync(db, id, cancellationToken);
}

/// <summary>Every payment state, in the order of an invoice's life with its provider (the admin's filter lists them so).</summary>
public static class PaymentStateNames
{
    public static IReadOnlyList<string> All { get; } =
    [
        Data.Payments.PaymentStates.Queued, Data.Payments.PaymentStates.Retrying, Data.Payments.PaymentStates.PushFailed,
        Data.Payments.PaymentStates.AwaitingPayment, Data.Payments.PaymentStates.Paid, Data.Payments.PaymentStates.Failed,
        Data.Payments.PaymentStates.Uncollectible, Data.Payments.PaymentStates.Voided,
    ];
}
