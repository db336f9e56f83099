using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Auditing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>An admin ends a draft's grace period now: the invoicer finalizes it (lines recomputed, credit applied, numbered) and the act is audited.</summary>
public sealed class InvoiceFinalization(UsagePortalDbContext db, InvoiceRunner runner, TimeProvider clock)
{
    public async Task<Result<Invoice>> FinalizeNowAsync(long invoiceId, string actor, CancellationToken cancellationToken = default)
    {
        // The draft as it stood: the invoicer recomputes its lines and total as it finalizes it.
        var draft = await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        if (draft is null || !await runner.FinalizeAsync(invoiceId, cancellationToken))
        {
            var status = await db.Invoices.AsNoTracking().Where(i => i.Id == invoiceId).Select(i => i.Status).SingleOrDefaultAsync(cancellationToken);
            return status is null
                ? Result<Invoice>.Failed(ResultKind.NotFound, new FieldError("invoice", $"No invoice {invoiceId}."))
                // Still a draft: the invoicer could not finalize it this time (credit spent meanwhile); it tries again.
                : Result<Invoice>.Conflict("status", InvoiceStateMachine.WhyNot(status, InvoiceAction.Finalize)
                    ?? "The invoice could not be finalized just now (its credit changed meanwhile). Try again.");
        }

        db.ChangeTracker.Clear();
        var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId, cancellationToken);
        db.Audit(clock, actor, "invoice.finalized", $"invoice:{invoice.Number}", AuditChange.Of(InvoiceAudit.StateOf(draft), InvoiceAudit.StateOf(invoice)), "finalized before its grace period ended", invoice.CustomerId);
        await db.SaveChangesAsync(cancellationToken);
        return Result<Invoice>.Ok(invoice);
    }
}
