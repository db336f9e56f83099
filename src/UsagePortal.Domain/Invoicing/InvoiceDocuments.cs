using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;

namespace UsagePortal.Domain.Invoicing;

/// <summary>Invoices as whole documents (lines, customer, credit notes): read, listed, and finalized on request.</summary>
public sealed class InvoiceDocuments(UsagePortalDbContext db, InvoiceRunner runner)
{
    /// <summary>
    /// The newest <paramref name="take"/> invoices (by period, then id), of the customer <paramref name="customerExternalId"/>
    /// when given (not found when there is no such customer), in <paramref name="status"/> when given.
    /// </summary>
    public async Task<Result<IReadOnlyList<InvoiceDocument>>> ListAsync(string? customerExternalId, string? status, int take, CancellationToken cancellationToken = default)
    {
        var query = db.Invoices.AsQueryable();
        if (customerExternalId is not null)
        {
            var customerId = await db.Customers.Where(c => c.ExternalId == customerExternalId).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (customerId is null)
            {
                return Result<IReadOnlyList<InvoiceDocument>>.NotFound($"No customer has externalId '{customerExternalId}'.", "customer");
            }

            query = query.Where(i => i.CustomerId == customerId);
        }

        if (status is not null)
        {
            query = query.Where(i => i.Status == status);
        }

        return Result<IReadOnlyList<InvoiceDocument>>.Ok(
            await InvoiceAnswers.LoadAsync(db, query.OrderByDescending(i => i.PeriodStart).ThenByDescending(i => i.Id).Take(take), cancellationToken));
    }

    /// <summary>The invoice, or null.</summary>
    public Task<InvoiceDocument?> FindAsync(long invoiceId, CancellationToken cancellationToken = default) =>
        InvoiceAnswers.LoadOneAsync(db, invoiceId, cancellationToken);

    /// <summary>
    /// Finalizes a draft now (<see cref="InvoiceRunner.FinalizeAsync"/>) and answers it as it then stands; not found for
    /// an unknown id, a conflict naming its status when it is not a draft (a finalized invoice never changes).
    /// </summary>
    public async Task<Result<InvoiceDocument>> FinalizeAsync(long invoiceId, CancellationToken cancellationToken = default)
    {
        var before = await db.Invoices.AsNoTracking().Where(i => i.Id == invoiceId).Select(i => new { i.Number, i.Status }).SingleOrDefaultAsync(cancellationToken);
        if (before is null)
        {
            return Result<InvoiceDocument>.NotFound($"No invoice has id '{invoiceId}'.");
        }

        if (!await runner.FinalizeAsync(invoiceId, cancellationToken))
        {
            return Result<InvoiceDocument>.Conflict("status",
                $"Invoice {before.Number ?? invoiceId.ToString(System.Globalization.CultureInfo.InvariantCulture)} is {before.Status}; only a draft can be finalized, and a finalized invoice never changes.");
        }

        db.ChangeTracker.Clear();
        return Result<InvoiceDocument>.Ok((await InvoiceAnswers.LoadOneAsync(db, invoiceId, cancellationToken))!);
    }
}
