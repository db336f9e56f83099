using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Payments;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Payments;

/// <summary>The admin's side of payments: an invoice's push history, and pushing a failed one again.</summary>
public sealed class PaymentService(UsagePortalDbContext db, TimeProvider clock, OutboxSignal signal, IPaymentProvider provider)
{
    /// <summary>Whether the provider keeps payment methods a customer can manage (Stripe) or not (local).</summary>
    public bool HasPaymentMethods => provider.Name != LocalPaymentProvider.ProviderName;

    /// <summary>
    /// The provider's page where the organisation manages its payment method, returning to <paramref name="returnUrl"/>;
    /// null when there is none (the local provider, or a customer not yet known to Stripe: it is created with the first
    /// pushed invoice).
    /// </summary>
    public async Task<string?> PaymentMethodPageAsync(int customerId, string returnUrl, CancellationToken cancellationToken = default)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, cancellationToken);
        return customer is null ? null : await provider.PaymentMethodPageAsync(customer, returnUrl, cancellationToken);
    }

    /// <summary>Every push of the invoice, newest first.</summary>
    public async Task<IReadOnlyList<PaymentAttempt>> HistoryAsync(long invoiceId, CancellationToken cancellationToken = default) =>
        await db.PaymentAttempts.AsNoTracking().Where(a => a.InvoiceId == invoiceId).OrderByDescending(a => a.At).ThenByDescending(a => a.Id).ToListAsync(cancellationToken);

    /// <summary>
    /// Queues the invoice's push again, now: allowed while its last push failed or is waiting for a retry (a push the
    /// provider took is never repeated; the provider's idempotency covers a push that is still under way).
    /// </summary>
    public async Task<Result<bool>> RetryPushAsync(long invoiceId, string actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var retriable = PaymentPushes.Retriable.ToList();
        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Locks the row while its push may be retried (an update that changes nothing yet), so that the state the
            // audit log records as "before" is the one this retry replaces.
            var locked = await db.Invoices.Where(i => i.Id == invoiceId && i.PaymentState != null && retriable.Contains(i.PaymentState))
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, i => i.PaymentState), cancellationToken);
            if (locked == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                var state = await db.Invoices.Where(i => i.Id == invoiceId).Select(i => new { i.PaymentState }).SingleOrDefaultAsync(cancellationToken);
                return state is null
                    ? Result<bool>.NotFound($"No invoice {invoiceId}.")
                    : Result<bool>.Failed(ResultKind.Conflict, new FieldError("paymentState",
                        $"Only a push that failed or is waiting to be retried can be pushed again; this invoice's is '{state.PaymentState ?? "none (a draft)"}'."));
            }

            var before = await db.Invoices.AsNoTracking().Where(i => i.Id == invoiceId).Select(i => new { i.Number, i.PaymentState }).SingleAsync(cancellationToken);
            await db.Invoices.Where(i => i.Id == invoiceId)
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.Queued), cancellationToken);
            PaymentPushes.Enqueue(db, invoiceId, actor, now);
            db.Audit(clock, actor, "invoice.push_retried", $"invoice:{before.Number}",
                AuditChange.Of(
                    new AuditState { { "number", before.Number }, { "payment state", before.PaymentState } },
                    new AuditState { { "number", before.Number }, { "payment state", PaymentStates.Queued } }),
                $"{before.PaymentState} -> {PaymentStates.Queued}");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Result<bool>.Ok(true);
        });
        if (result.Succeeded)
        {
            signal.Notify();
        }

        return result;
    }
}
