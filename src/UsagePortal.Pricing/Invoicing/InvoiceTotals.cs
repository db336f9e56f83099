namespace UsagePortal.Pricing;

/// <summary>An invoice line after its one rounding.</summary>
/// <param name="Line">The input line.</param>
/// <param name="AmountMinorUnits"><see cref="Currency.RoundToMinorUnits"/> of the line's exact amount.</param>
public sealed record InvoiceLineTotal(InvoiceLineInput Line, long AmountMinorUnits);

/// <summary>How much of one grant the invoice consumed; one ledger entry.</summary>
/// <param name="GrantId">The grant.</param>
/// <param name="ConsumedMinorUnits">Consumed by this invoice, above 0.</param>
/// <param name="RemainingMinorUnits">What the grant has left afterwards.</param>
public sealed record CreditConsumption(string GrantId, long ConsumedMinorUnits, long RemainingMinorUnits);

/// <summary>
/// The totals of an invoice, all in minor units of <see cref="Currency"/>:
/// <c>Total = Subtotal − CreditsApplied + Tax + WaivedNegativeBalance</c>, and the waived part is 0
/// whenever the subtotal is not negative.
/// </summary>
/// <param name="Currency">The invoice currency.</param>
/// <param name="Lines">Each line rounded once, in input order.</param>
/// <param name="Subtotal">Sum of the rounded lines.</param>
/// <param name="CreditsApplied">Credits taken from grants; never more than a positive subtotal.</param>
/// <param name="CreditConsumptions">Per grant, in consumption order (soonest expiry first).</param>
/// <param name="TaxableAmount">Subtotal − credits, floored at 0.</param>
/// <param name="Tax">TaxableAmount × tax rate, rounded once.</param>
/// <param name="Total">What the customer owes; never negative.</param>
/// <param name="WaivedNegativeBalance">
/// Minor units added to bring a negative subtotal (possible only through negative cap adjustments)
/// up to a zero total; money owed back to a customer goes through a credit note, not an invoice.
/// </param>
public sealed record InvoiceTotals(
    Currency Currency,
    IReadOnlyList<InvoiceLineTotal> Lines,
    long Subtotal,
    long CreditsApplied,
    IReadOnlyList<CreditConsumption> CreditConsumptions,
    long TaxableAmount,
    long Tax,
    long Total,
    long WaivedNegativeBalance);
