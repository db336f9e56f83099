namespace UsagePortal.Pricing;

/// <summary>What an invoice line stands for.</summary>
public enum InvoiceLineKind
{
    /// <summary>A metered charge (one per charge, or per group where grouped).</summary>
    Charge,

    /// <summary>The plan's recurring flat fee, possibly prorated.</summary>
    FlatFee,

    /// <summary>The minimum-commitment true-up.</summary>
    MinimumCommitmentTrueUp,

    /// <summary>Usage that arrived for an already invoiced period.</summary>
    LateUsage,

    /// <summary>The hard-cap adjustment: the only kind allowed to be negative.</summary>
    CapAdjustment,
}

/// <summary>One invoice line before rounding.</summary>
/// <param name="Kind">What the line stands for.</param>
/// <param name="Description">Text shown on the invoice.</param>
/// <param name="ExactAmount">The exact, unrounded amount in currency units.</param>
public sealed record InvoiceLineInput(InvoiceLineKind Kind, string Description, decimal ExactAmount);

/// <summary>What remains of one credit grant, ready to be consumed.</summary>
/// <param name="GrantId">The grant's id, echoed in <see cref="CreditConsumption"/> for the ledger.</param>
/// <param name="AvailableMinorUnits">Remaining balance in minor units, not negative.</param>
/// <param name="ExpiresAt">When the grant expires; <c>null</c> = never.</param>
public sealed record CreditGrantBalance(string GrantId, long AvailableMinorUnits, DateTimeOffset? ExpiresAt);

/// <summary>Everything needed to total an invoice.</summary>
/// <param name="Currency">The invoice currency; lines and grants are in it.</param>
/// <param name="Lines">The lines, in display order.</param>
/// <param name="CreditGrants">The customer's grants; expired ones are skipped.</param>
/// <param name="TaxRate">Tax as a fraction of the amount after credits: 0.2 means 20 %; 0 ≤ rate ≤ 1.</param>
/// <param name="AsOf">The moment the invoice is totalled; a grant expiring at or before it is not used.</param>
public sealed record InvoiceInput(
    Currency Currency,
    IReadOnlyList<InvoiceLineInput> Lines,
    IReadOnlyList<CreditGrantBalance> CreditGrants,
    decimal TaxRate,
    DateTimeOffset AsOf);
