using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using UsagePortal.Data;
using UsagePortal.Data.Payments;
using UsagePortal.Domain.Email;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Storage;

namespace UsagePortal.Domain.Payments;

/// <summary>What a webhook delivery came to: its HTTP status and a sentence for the log and the sender.</summary>
public sealed record WebhookOutcome(int Status, string Message);

/// <summary>
/// Stripe's webhooks (<c>POST /api/v1/webhooks/stripe</c>). The signature is checked first (five minutes' tolerance); a
/// bad one is refused with 400 and nothing is stored. The event is stored unique by its id in the same transaction as
/// what it changes, so it is processed exactly once: a replay, or a second delivery racing the first, finds it stored
/// and changes nothing. Event types not handled here are stored and answered 200 (a 4xx would make Stripe disable the
/// endpoint). Changes go through the payment state rules (<see cref="PaymentRecords"/>) and the invoice state machine,
/// so events arriving out of order end in the right state: paid stays paid.
/// </summary>
public sealed class StripeWebhooks(
    UsagePortalDbContext db,
    IOptions<PaymentsOptions> options,
    IDatabaseDialect dialect,
    InvoiceCorrections corrections,
    EmailOutbox email,
    TimeProvider clock,
    ILogger<StripeWebhooks> logger)
{
    public const long ToleranceSeconds = 300;

    public const string Actor = "stripe";

    public async Task<WebhookOutcome> ReceiveAsync(string json, string? signature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var secret = options.Value.Stripe.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return new WebhookOutcome(StatusCodes.NotConfigured, "Stripe webhooks are not configured here (Payments:Stripe:WebhookSecret).");
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(json, signature ?? "", secret, ToleranceSeconds, clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException exception)
        {
            return new WebhookOutcome(StatusCodes.BadRequest, $"The Stripe-Signature header does not verify: {exception.Message}");
        }
        catch (Newtonsoft.Json.JsonException exception)
        {
            return new WebhookOutcome(StatusCodes.BadRequest, $"The body is not a Stripe event: {exception.Message}");
        }

        var stripeInvoice = stripeEvent.Data?.Object as Stripe.Invoice;
        var now = clock.GetUtcNow().UtcDateTime;
        var strategy = db.Database.CreateExecutionStrategy();
        try
        {
            return await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var stored = new ProviderEvent
                {
                    Id = stripeEvent.Id,
                    Provider = StripePaymentProvider.ProviderName,
                    Type = stripeEvent.Type,
                    ObjectId = stripeInvoice?.Id,
                    ReceivedAt = now,
                    Payload = json,
                };
                db.ProviderEvents.Add(stored);
                // The row first: of two deliveries of one event, the second waits here and then fails on the key.
                await db.SaveChangesAsync(cancellationToken);
                var (invoiceId, outcome) = await ApplyAsync(stripeEvent.Type, stripeInvoice, now, cancellationToken);
                stored.InvoiceId = invoiceId;
                stored.ProcessedAt = now;
                stored.Outcome = outcome.Length > 500 ? outcome[..500] : outcome;
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new WebhookOutcome(StatusCodes.Ok, outcome);
            });
        }
        catch (DbUpdateException exception) when (dialect.IsUniqueViolation(exception))
        {
            db.ChangeTracker.Clear();
            return new WebhookOutcome(StatusCodes.Ok, $"Event {stripeEvent.Id} was received before: nothing changed.");
        }
    }

    /// <summary>What the event changes, in the caller's transaction; answers our invoice's id (if found) and what was done.</summary>
    private async Task<(long? InvoiceId, string Outcome)> ApplyAsync(string type, Stripe.Invoice? stripeInvoice, DateTime now, CancellationToken cancellationToken)
    {
        if (type is not ("invoice.paid" or "invoice.payment_failed" or "invoice.voided" or "invoice.marked_uncollectible"))
        {
            return (null, $"ignored: {type} is not an event this app acts on");
        }

        if (stripeInvoice is null || await FindAsync(stripeInvoice, cancellationToken) is not { } invoice)
        {
            logger.LogWarning("Stripe event {Type} for {StripeInvoice} names no invoice of ours; stored and ignored.", type, stripeInvoice?.Id);
            return (null, $"ignored: Stripe invoice {stripeInvoice?.Id} is not one of ours");
        }

        // Linked here too: a webhook may arrive before the push that made the invoice has committed.
        await db.Invoices.Where(i => i.Id == invoice.Id && i.ProviderInvoiceId == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.ProviderInvoiceId, stripeInvoice.Id).SetProperty(i => i.PaymentProvider, StripePaymentProvider.ProviderName), cancellationToken);
        if (stripeInvoice.HostedInvoiceUrl is { Length: > 0 } url)
        {
            await db.Invoices.Where(i => i.Id == invoice.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentUrl, url), cancellationToken);
        }

        switch (type)
        {
            case "invoice.paid":
                await PaymentRecords.SetStateAsync(db, invoice.Id, PaymentStates.Paid, now, cancellationToken);
                return (invoice.Id, $"applied: {invoice.Number} paid");
            case "invoice.payment_failed":
                var before = await db.Invoices.AsNoTracking().Where(i => i.Id == invoice.Id).Select(i => i.PaymentState).SingleAsync(cancellationToken);
                await PaymentRecords.SetStateAsync(db, invoice.Id, PaymentStates.Failed, now, cancellationToken);
                var after = await db.Invoices.AsNoTracking().Where(i => i.Id == invoice.Id).Select(i => new { i.PaymentState, i.Status }).SingleAsync(cancellationToken);
                if (after.PaymentState == PaymentStates.Failed && before != PaymentStates.Failed)
                {
                    await NotifyFailureAsync(invoice, stripeInvoice.HostedInvoiceUrl, cancellationToken);
                    return (invoice.Id, $"applied: {invoice.Number} payment failed; the customer is notified");
                }

                return (invoice.Id, $"ignored: {invoice.Number} is {after.PaymentState} already");
            case "invoice.voided":
                var voided = await corrections.ApplyVoidAsync(invoice.Id, "Voided in Stripe", Actor, now, cancellationToken);
                if (!voided.Succeeded)
                {
                    await db.Invoices.Where(i => i.Id == invoice.Id && i.Status == Data.Billing.InvoiceStatuses.Void)
                        .ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.Voided), cancellationToken);
                }

                return (invoice.Id, voided.Succeeded ? $"applied: {invoice.Number} voided" : $"ignored: {invoice.Number} cannot be voided here ({voided.Errors[0].Reason})");
            default:
                await PaymentRecords.SetStateAsync(db, invoice.Id, PaymentStates.Uncollectible, now, cancellationToken);
                return (invoice.Id, $"applied: {invoice.Number} marked uncollectible");
        }
    }

    private async Task<Data.Billing.Invoice?> FindAsync(Stripe.Invoice stripeInvoice, CancellationToken cancellationToken)
    {
        if (stripeInvoice.Metadata?.GetValueOrDefault(StripePaymentProvider.InvoiceMetadataKey) is { } ours
            && long.TryParse(ours, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken) is { } byMetadata)
        {
            return byMetadata;
        }

        return await db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.ProviderInvoiceId == stripeInvoice.Id, cancellationToken);
    }

    private async Task NotifyFailureAsync(Data.Billing.Invoice invoice, string? payUrl, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == invoice.CustomerId, cancellationToken);
        var money = Pricing.Currency.FromCode(invoice.Currency);
        var amount = $"{money.FormatMinorUnits(invoice.Total)} {money.Code}";
        var link = payUrl is { Length: > 0 } ? $" Pay it here: {payUrl}" : "";
        email.Enqueue(new EmailMessage(customer.Email, $"Payment failed for invoice {invoice.Number}",
            $"<p>We could not collect {System.Net.WebUtility.HtmlEncode(amount)} for invoice {System.Net.WebUtility.HtmlEncode(invoice.Number)} with the payment method on file.</p>"
            + (payUrl is { Length: > 0 } ? $"<p><a href=\"{System.Net.WebUtility.HtmlEncode(payUrl)}\">Pay the invoice</a></p>" : ""),
            $"We could not collect {amount} for invoice {invoice.Number} with the payment method on file.{link}"));
    }

    /// <summary>The statuses a delivery is answered with.</summary>
    public static class StatusCodes
    {
        public const int Ok = 200;

        public const int BadRequest = 400;

        public const int NotConfigured = 404;
    }
}
