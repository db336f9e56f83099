namespace UsagePortal.Data.Billing;

/// <summary>Money given to a customer by an admin (or by a credit note), consumed by finalized invoices, soonest expiry first.</summary>
public sealed class CreditGrant
{
    public int Id { get; set; }

    public int CustomerId { get; set; }

    public required string Currency { get; set; }

    /// <summary>Granted, in minor units.</summary>
    public long Amount { get; set; }

    /// <summary>Still available, in minor units.</summary>
    public long Remaining { get; set; }

    public required string Reason { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";
}

/// <summary>Ledger kinds.</summary>
public static class CreditMovements
{
    public const string Granted = "granted";
    public const string Applied = "applied";
    public const string Restored = "restored";
    public const string Expired = "expired";
}

/// <summary>One movement of a credit grant's balance; the ledger is append-only.</summary>
public sealed class CreditLedgerEntry
{
    public long Id { get; set; }

    public int CreditGrantId { get; set; }

    public int CustomerId { get; set; }

    public required string Kind { get; set; }

    /// <summary>Signed minor units: + for granted/restored, − for applied/expired.</summary>
    public long Amount { get; set; }

    public long BalanceAfter { get; set; }

    public long? InvoiceId { get; set; }

    public DateTime At { get; set; }

    public string Note { get; set; } = "";
}
