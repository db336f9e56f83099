namespace UsagePortal.Data.Billing;

/// <summary>Wire names of invoice statuses.</summary>
public static class InvoiceStatuses
{
    public const string Draft = "draft";
    public const string Finalized = "finalized";
    public const string Paid = "paid";
    public const string PaymentFailed = "payment_failed";
    public const string Void = "void";
}

/// <summary>
/// The invoice of one subscription period; unique per (subscription, period start). A draft is recomputed
/// until its grace period ends; then it is finalized, numbered (gap-free) and never changed again except for
/// its status. Amounts are minor units of <see cref="Currency"/>.
/// </summary>
public sealed class Invoice
{
    public long Id { get; set; }

    /// <summary><c>INV-000001</c>; given at finalization, so drafts never leave gaps.</summary>
    public string? Number { get; set; }

    public int CustomerId { get; set; }

    public int SubscriptionId { get; set; }

    public DateTime PeriodStart { get; set; }

    public DateTime PeriodEnd { get; set; }

    public string Status { get; set; } = InvoiceStatuses.Draft;

    public required string Currency { get; set; }

    public decimal TaxRate { get; set; }

    public long Subtotal { get; set; }

    public long CreditsApplied { get; set; }

    public long Tax { get; set; }

    public long Total { get; set; }

    /// <summary>The moment the lines' usage was read.</summary>
    public DateTime UsageReadAt { get; set; }

    /// <summary>
    /// Bookkeeping, not part of the document: usage of this period is billed as it stood at this moment (by this
    /// invoice or by late-usage lines on later ones). Rollups of the period updated after it hold late usage.
    /// </summary>
    public DateTime? UsageBilledThrough { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>End of the grace period: the draft is finalized from then.</summary>
    public DateTime FinalizesAt { get; set; }

    public DateTime? FinalizedAt { get; set; }

    public DateTime? PaidAt { get; set; }

    public DateTime? VoidedAt { get; set; }

    public string? VoidReason { get; set; }

    /// <summary>Where the invoice stands with the payment provider (<see cref="Payments.PaymentStates"/>); null on a draft.</summary>
    public string? PaymentState { get; set; }

    /// <summary>The provider that holds it: <c>local</c> or <c>stripe</c>; null until pushed.</summary>
    public string? PaymentProvider { get; set; }

    /// <summary>The provider's id of the invoice (Stripe: <c>in_…</c>).</summary>
    public string? ProviderInvoiceId { get; set; }

    /// <summary>The provider's page where the customer pays it (Stripe's hosted invoice page).</summary>
    public string? PaymentUrl { get; set; }

    public List<InvoiceLine> Lines { get; set; } = [];
}

/// <summary>One rounded line of an invoice, with the exact amount it was rounded from and its breakdown.</summary>
public sealed class InvoiceLine
{
    public long Id { get; set; }

    public long InvoiceId { get; set; }

    public int Position { get; set; }

    /// <summary><c>charge</c>, <c>flat_fee</c>, <c>minimum_commitment</c>, <c>late_usage</c>.</summary>
    public required string Kind { get; set; }

    public required string Description { get; set; }

    public string? MeterCode { get; set; }

    /// <summary>Canonical group key; empty for a line over all groups.</summary>
    public string GroupKey { get; set; } = "";

    public decimal Quantity { get; set; }

    public decimal ExactAmount { get; set; }

    /// <summary>Minor units: the exact amount rounded once.</summary>
    public long Amount { get; set; }

    /// <summary>The pricing breakdown as JSON (per range), for reconciliation.</summary>
    public string? BreakdownJson { get; set; }

    public int? PlanVersionId { get; set; }

    /// <summary>The stretch of usage the line bills (a phase of the period, or an earlier period for late usage).</summary>
    public DateTime UsageFrom { get; set; }

    public DateTime UsageTo { get; set; }
}

/// <summary>A correction to a finalized invoice; its amount goes to the customer's credit balance.</summary>
public sealed class CreditNote
{
    public long Id { get; set; }

    /// <summary><c>CN-000001</c>, gap-free.</summary>
    public required string Number { get; set; }

    public long InvoiceId { get; set; }

    public int CustomerId { get; set; }

    public long Amount { get; set; }

    public required string Reason { get; set; }

    public int? CreditGrantId { get; set; }

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";
}

/// <summary>Gap-free counters (invoice and credit-note numbers), advanced inside the transaction that uses the number.</summary>
public sealed class DocumentSequence
{
    public const string Invoices = "invoice";
    public const string CreditNotes = "credit_note";

    public required string Name { get; set; }

    public long LastValue { get; set; }
}
