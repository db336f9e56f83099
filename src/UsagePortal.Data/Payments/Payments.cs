namespace UsagePortal.Data.Payments;

/// <summary>
/// Wire names of where a finalized invoice stands with the payment provider (<see cref="Billing.Invoice.PaymentState"/>);
/// null on a draft. The invoice's own status (paid, payment_failed, void) follows the provider's word on payment.
/// </summary>
public static class PaymentStates
{
    /// <summary>Finalized; the push to the provider is queued in the outbox.</summary>
    public const string Queued = "queued";

    /// <summary>A push failed for a reason that may pass (the provider unreachable, rate-limited, failing); it is retried with backoff.</summary>
    public const string Retrying = "retrying";

    /// <summary>A push the provider refused (a request it will never accept as sent); an admin retries it once the cause is fixed.</summary>
    public const string PushFailed = "push_failed";

    /// <summary>Pushed: the provider holds the invoice and is collecting it.</summary>
    public const string AwaitingPayment = "awaiting_payment";

    public const string Paid = "paid";

    /// <summary>The provider tried to collect and failed: the customer pays through the provider's page.</summary>
    public const string Failed = "failed";

    /// <summary>The provider gave up collecting it.</summary>
    public const string Uncollectible = "uncollectible";

    /// <summary>Voided, here or at the provider.</summary>
    public const string Voided = "voided";
}

/// <summary>One try at pushing an invoice to the payment provider: what the admin's push history lists.</summary>
public sealed class PaymentAttempt
{
    public long Id { get; set; }

    public long InvoiceId { get; set; }

    public DateTime At { get; set; }

    /// <summary><c>local</c> or <c>stripe</c>.</summary>
    public required string Provider { get; set; }

    /// <summary><c>succeeded</c>, <c>retrying</c> or <c>failed</c>.</summary>
    public required string Outcome { get; set; }

    /// <summary>What happened, in words: the provider's invoice and its state, or its error.</summary>
    public required string Detail { get; set; }

    /// <summary>Who asked: <c>finalization</c> for the automatic push, or the admin who retried it.</summary>
    public required string RequestedBy { get; set; }
}

/// <summary>
/// A webhook event of the payment provider, stored unique by its id before it is processed, so a replay is recognised
/// and changes nothing.
/// </summary>
public sealed class ProviderEvent
{
    /// <summary>The provider's event id (Stripe: <c>evt_…</c>).</summary>
    public required string Id { get; set; }

    public required string Provider { get; set; }

    public required string Type { get; set; }

    /// <summary>The provider's object the event is about (Stripe: the invoice id), when it is one we know of.</summary>
    public string? ObjectId { get; set; }

    /// <summary>Our invoice it concerns, when known.</summary>
    public long? InvoiceId { get; set; }

    public DateTime ReceivedAt { get; set; }

    public DateTime? ProcessedAt { get; set; }

    /// <summary>What processing did: <c>applied</c>, <c>ignored: …</c> with why.</summary>
    public string? Outcome { get; set; }

    public required string Payload { get; set; }
}
