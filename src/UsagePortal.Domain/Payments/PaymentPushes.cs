using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Outbox;
using UsagePortal.Data.Payments;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Payments;

/// <summary>
/// Pushing finalized invoices to the payment provider through the outbox: finalization queues the push in its own
/// transaction (<see cref="Enqueue"/>), so a finalized invoice is never left unpushed, and the dispatcher delivers it
/// (<see cref="PaymentPushHandler"/>) with retries and backoff.
/// </summary>
public static class PaymentPushes
{
    public const string Kind = "payment.push";

    /// <summary>The outbox kind that voids at the provider an invoice voided here.</summary>
    public const string VoidKind = "payment.void";

    /// <summary>Who asked for the automatic push that follows finalization.</summary>
    public const string Finalization = "finalization";

    /// <summary>States from which an invoice is pushed no more: the provider holds it, or it is settled.</summary>
    public static IReadOnlyList<string> Pushed { get; } =
        [PaymentStates.AwaitingPayment, PaymentStates.Paid, PaymentStates.Failed, PaymentStates.Uncollectible, PaymentStates.Voided];

    /// <summary>States an admin may push again from: a push that failed or is still being retried.</summary>
    public static IReadOnlyList<string> Retriable { get; } = [PaymentStates.PushFailed, PaymentStates.Retrying];

    /// <summary>The outbox message's payload.</summary>
    public sealed record Payload(long InvoiceId, string RequestedBy);

    /// <summary>Queues the push of <paramref name="invoiceId"/> in the caller's unit of work: it leaves when that commits.</summary>
    public static OutboxMessage Enqueue(UsagePortalDbContext db, long invoiceId, string requestedBy, DateTime now) =>
        Enqueue(db, Kind, invoiceId, requestedBy, now);

    /// <summary>Queues voiding <paramref name="invoiceId"/> at the provider that holds it, in the caller's unit of work.</summary>
    public static OutboxMessage EnqueueVoid(UsagePortalDbContext db, long invoiceId, string requestedBy, DateTime now) =>
        Enqueue(db, VoidKind, invoiceId, requestedBy, now);

    private static OutboxMessage Enqueue(UsagePortalDbContext db, string kind, long invoiceId, string requestedBy, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            Kind = kind,
            Payload = JsonSerializer.Serialize(new Payload(invoiceId, requestedBy)),
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.OutboxMessages.Add(message);
        return message;
    }
}

/// <summary>
/// Delivers one queued push: hands the invoice to the configured provider and records what came of it. A replay of a
/// push the provider already took changes nothing here, and the provider's idempotency makes a replay after its answer
/// but before our commit find the same invoice rather than make a second one.
/// </summary>
internal sealed class PaymentPushHandler(IServiceScopeFactory scopes, IPaymentProvider provider, TimeProvider clock, ILogger<PaymentPushHandler> logger) : IOutboxHandler
{
    string IOutboxHandler.Kind => PaymentPushes.Kind;

    public async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = JsonSerializer.Deserialize<PaymentPushes.Payload>(message.Payload)
            ?? throw new InvalidOperationException($"Outbox message {message.Id} has no payment push.");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsagePortalDbContext>();
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleOrDefaultAsync(i => i.Id == payload.InvoiceId, cancellationToken);
        if (invoice is null || invoice.Status == InvoiceStatuses.Draft || invoice.PaymentState is { } state && PaymentPushes.Pushed.Contains(state))
        {
            // Nothing to push: no such invoice, or the provider has it already (a replayed message).
            return;
        }

        if (invoice.Status == InvoiceStatuses.Void)
        {
            await RecordAsync(db, invoice.Id, PaymentStates.Voided, "skipped", "Voided before it was pushed: nothing to collect.", payload.RequestedBy, cancellationToken);
            return;
        }

        invoice.Lines.Sort((a, b) => a.Position.CompareTo(b.Position));
        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == invoice.CustomerId, cancellationToken);
        PaymentPushResult result;
        try
        {
            result = await provider.PushAsync(new PaymentPush(invoice, customer), cancellationToken);
        }
        catch (PaymentProviderException exception)
        {
            logger.LogWarning(exception, "Pushing invoice {Invoice} to {Provider} failed ({Retry}).", invoice.Id, provider.Name, exception.Retryable ? "retrying" : "not retried");
            await RecordAsync(db, invoice.Id, exception.Retryable ? PaymentStates.Retrying : PaymentStates.PushFailed,
                exception.Retryable ? "retrying" : "failed", exception.Message, payload.RequestedBy, cancellationToken);
            if (exception.Retryable)
            {
                throw; // the outbox tries again with backoff
            }

            return; // an admin pushes it again once the cause is fixed
        }

        await ApplyAsync(db, invoice, customer.Id, result, payload.RequestedBy, cancellationToken);
    }

    /// <summary>The provider took the invoice: link it, and follow its word on payment.</summary>
    private async Task ApplyAsync(UsagePortalDbContext db, Invoice invoice, int customerId, PaymentPushResult result, string requestedBy, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Invoices.Where(i => i.Id == invoice.Id)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(i => i.PaymentProvider, provider.Name)
                    .SetProperty(i => i.ProviderInvoiceId, result.ProviderInvoiceId)
                    .SetProperty(i => i.PaymentUrl, result.PaymentUrl), cancellationToken);
            await PaymentRecords.SetStateAsync(db, invoice.Id, result.State, now, cancellationToken);
            if (result.ProviderCustomerId is { } providerCustomerId)
            {
                await db.Customers.Where(c => c.Id == customerId && c.ProviderCustomerId == null)
                    .ExecuteUpdateAsync(set => set.SetProperty(c => c.ProviderCustomerId, providerCustomerId), cancellationToken);
            }

            PaymentRecords.AddAttempt(db, invoice.Id, provider.Name, "succeeded", result.Detail, requestedBy, now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    private async Task RecordAsync(UsagePortalDbContext db, long invoiceId, string state, string outcome, string detail, string requestedBy, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Invoices.Where(i => i.Id == invoiceId && (i.PaymentState == null || !PaymentPushes.Pushed.Contains(i.PaymentState)))
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, state), cancellationToken);
        PaymentRecords.AddAttempt(db, invoiceId, provider.Name, outcome, detail, requestedBy, now);
        await db.SaveChangesAsync(cancellationToken);
    }

}

/// <summary>
/// Voids at the provider an invoice voided here (after it was pushed): retried with backoff while the provider fails, and
/// recorded in the push history either way. Idempotent at the provider (Stripe: a key made of our id).
/// </summary>
internal sealed class PaymentVoidHandler(IServiceScopeFactory scopes, IPaymentProvider provider, TimeProvider clock, ILogger<PaymentVoidHandler> logger) : IOutboxHandler
{
    string IOutboxHandler.Kind => PaymentPushes.VoidKind;

    public async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = JsonSerializer.Deserialize<PaymentPushes.Payload>(message.Payload)
            ?? throw new InvalidOperationException($"Outbox message {message.Id} names no invoice to void.");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<UsagePortalDbContext>();
        var invoice = await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == payload.InvoiceId, cancellationToken);
        if (invoice?.ProviderInvoiceId is null)
        {
            return;
        }

        try
        {
            var detail = await provider.VoidAsync(invoice, cancellationToken);
            PaymentRecords.AddAttempt(db, invoice.Id, provider.Name, "voided", detail, payload.RequestedBy, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (PaymentProviderException exception)
        {
            logger.LogWarning(exception, "Voiding invoice {Invoice} at {Provider} failed.", invoice.Id, provider.Name);
            PaymentRecords.AddAttempt(db, invoice.Id, provider.Name, exception.Retryable ? "retrying" : "failed", exception.Message, payload.RequestedBy, clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync(cancellationToken);
            if (exception.Retryable)
            {
                throw; // the outbox tries again with backoff
            }
        }
    }
}

/// <summary>Where an invoice stands with the provider, and what that makes of its status, in one place for pushes and webhooks.</summary>
public static class PaymentRecords
{
    /// <summary>Adds one line of the push history (saved by the caller), its detail cut to what the column holds.</summary>
    public static void AddAttempt(UsagePortalDbContext db, long invoiceId, string provider, string outcome, string detail, string requestedBy, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(detail);
        db.PaymentAttempts.Add(new PaymentAttempt
        {
            InvoiceId = invoiceId, At = at, Provider = provider, Outcome = outcome, Detail = detail.Length > 2000 ? detail[..2000] : detail, RequestedBy = requestedBy,
        });
    }

    /// <summary>
    /// Sets the payment state and applies what it means to the invoice's status through the state machine (paid →
    /// <see cref="InvoiceAction.RecordPayment"/>, failed → <see cref="InvoiceAction.RecordPaymentFailure"/>). A paid
    /// invoice stays paid whatever arrives after (an older failure, replayed or out of order).
    /// </summary>
    public static async Task SetStateAsync(UsagePortalDbContext db, long invoiceId, string state, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var settled = new[] { PaymentStates.Paid, PaymentStates.Voided };
        await db.Invoices.Where(i => i.Id == invoiceId && (i.PaymentState == null || !settled.Contains(i.PaymentState)))
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, state), cancellationToken);
        switch (state)
        {
            case PaymentStates.Paid:
                await db.Invoices.Where(i => i.Id == invoiceId).WhereAllows(InvoiceAction.RecordPayment)
                    .ExecuteUpdateAsync(set => set
                        .SetProperty(i => i.Status, InvoiceStatuses.Paid)
                        .SetProperty(i => i.PaidAt, now), cancellationToken);
                break;
            case PaymentStates.Failed:
                await db.Invoices.Where(i => i.Id == invoiceId).WhereAllows(InvoiceAction.RecordPaymentFailure)
                    .ExecuteUpdateAsync(set => set.SetProperty(i => i.Status, InvoiceStatuses.PaymentFailed), cancellationToken);
                break;
        }
    }
}
