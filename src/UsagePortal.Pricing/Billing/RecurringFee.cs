namespace UsagePortal.Pricing;

/// <summary>The plan's recurring flat fee, charged in advance, prorated for partial periods.</summary>
public static class RecurringFee
{
    /// <summary>
    /// The fee for a partial period: <c>periodAmount × billedDays / periodDays</c>, exact and unrounded
    /// (the invoice line rounds it once). Days are decimal so that a caller may count part days; the
    /// caller counts them in the subscription's billing time zone (a month of 31 days is 31 days even
    /// across a DST change).
    /// </summary>
    /// <param name="periodAmount">The fee of a full period.</param>
    /// <param name="billedDays">Days of the period being billed, 0 ≤ billedDays ≤ periodDays.</param>
    /// <param name="periodDays">Days in the full period, above 0.</param>
    public static decimal Prorate(decimal periodAmount, decimal billedDays, decimal periodDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(periodAmount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(periodDays);
        ArgumentOutOfRangeException.ThrowIfNegative(billedDays);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(billedDays, periodDays);

        // A full period is returned as is, so a whole fee never picks up a division artefact.
        return billedDays == periodDays ? periodAmount : periodAmount * billedDays / periodDays;
    }
}
