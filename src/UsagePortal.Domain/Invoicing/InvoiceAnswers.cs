using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Metering;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>One line of an invoice in the API's shape; <c>breakdown</c> is the stored per-range breakdown as JSON.</summary>
public sealed record InvoiceLineAnswer(
    string Kind,
    string Description,
    string? Meter,
    IReadOnlyDictionary<string, string?>? Group,
    string Quantity,
    string Amount,
    JsonElement? Breakdown,
    DateTimeOffset UsageFrom,
    DateTimeOffset UsageTo);

public sealed record CreditNoteAnswer(string Number, string Amount, string Reason, DateTimeOffset CreatedAt);

/// <summary>An invoice in the shape of PRODUCT.md ("invoice"), amounts as decimal strings in currency units.</summary>
public sealed record InvoiceAnswer(
    long Id,
    string? Number,
    string Customer,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string Status,
    string Currency,
    IReadOnlyList<InvoiceLineAnswer> Lines,
    string Subtotal,
    string CreditsApplied,
    string Tax,
    string TaxRate,
    string Total,
    DateTimeOffset FinalizesAt,
    DateTimeOffset? FinalizedAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? VoidedAt,
    string? VoidReason,
    IReadOnlyList<CreditNoteAnswer> CreditNotes,
    string? PaymentState,
    string? PaymentUrl);

/// <summary>An invoice with what is shown beside it: its customer's external id and its credit notes, oldest first.</summary>
public sealed record InvoiceDocument(Invoice Invoice, string CustomerExternalId, IReadOnlyList<CreditNote> CreditNotes);

/// <summary>Maps stored invoices to the API's shape (and loads them with what that shape needs).</summary>
public static class InvoiceAnswers
{
    /// <summary>The invoices of <paramref name="query"/> (keep its order) with lines, customer ids and credit notes.</summary>
    public static async Task<IReadOnlyList<InvoiceDocument>> LoadAsync(UsagePortalDbContext db, IQueryable<Invoice> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var invoices = await query.AsNoTracking().Include(i => i.Lines).AsSplitQuery().ToListAsync(cancellationToken);
        if (invoices.Count == 0)
        {
            return [];
        }

        var ids = invoices.Select(i => i.Id).ToList();
        var customerIds = invoices.Select(i => i.CustomerId).Distinct().ToList();
        var externalIds = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.ExternalId, cancellationToken);
        var notes = (await db.CreditNotes.AsNoTracking().Where(n => ids.Contains(n.InvoiceId)).OrderBy(n => n.Id).ToListAsync(cancellationToken))
            .ToLookup(n => n.InvoiceId);
        return invoices.Select(i => new InvoiceDocument(i, externalIds[i.CustomerId], notes[i.Id].ToList())).ToList();
    }

    public static async Task<InvoiceDocument?> LoadOneAsync(UsagePortalDbContext db, long invoiceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return (await LoadAsync(db, db.Invoices.Where(i => i.Id == invoiceId), cancellationToken)).SingleOrDefault();
    }

    public static InvoiceAnswer From(InvoiceDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var invoice = document.Invoice;
        var currency = Currency.FromCode(invoice.Currency);
        return new InvoiceAnswer(
            invoice.Id,
            invoice.Number,
            document.CustomerExternalId,
            Utc(invoice.PeriodStart),
            Utc(invoice.PeriodEnd),
            invoice.Status,
            currency.Code,
            invoice.Lines.OrderBy(l => l.Position).Select(l => new InvoiceLineAnswer(
                l.Kind,
                l.Description,
                l.MeterCode,
                Group(l.GroupKey),
                Decimals.ToText(l.Quantity),
                currency.FormatMinorUnits(l.Amount),
                Breakdown(l.BreakdownJson),
                Utc(l.UsageFrom),
                Utc(l.UsageTo))).ToList(),
            currency.FormatMinorUnits(invoice.Subtotal),
            currency.FormatMinorUnits(invoice.CreditsApplied),
            currency.FormatMinorUnits(invoice.Tax),
            Decimals.ToText(invoice.TaxRate),
            currency.FormatMinorUnits(invoice.Total),
            Utc(invoice.FinalizesAt),
            invoice.FinalizedAt is { } finalized ? Utc(finalized) : null,
            invoice.PaidAt is { } paid ? Utc(paid) : null,
            invoice.VoidedAt is { } voided ? Utc(voided) : null,
            invoice.VoidReason,
            document.CreditNotes.Select(n => new CreditNoteAnswer(n.Number, currency.FormatMinorUnits(n.Amount), n.Reason, Utc(n.CreatedAt))).ToList(),
            invoice.PaymentState,
            invoice.PaymentUrl);
    }

    /// <summary>A line's group as property → value, or null for a line over all groups.</summary>
    public static IReadOnlyDictionary<string, string?>? Group(string groupKey)
    {
        if (string.IsNullOrEmpty(groupKey))
        {
            return null;
        }

        try
        {
            return GroupKey.Parse(groupKey);
        }
        catch (JsonException)
        {
            return new Dictionary<string, string?> { ["key"] = groupKey };
        }
    }

    /// <summary>The stored breakdown, parsed; null when there is none (or it is not JSON).</summary>
    public static JsonElement? Breakdown(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
}
