namespace UsagePortal.Pricing;

/// <summary>A plan's minimum commitment: a true-up line when the period's charges stay below it.</summary>
public static class MinimumCommitment
{
    /// <summary>
    /// The true-up: <c>commitment − sum of the period's charges</c> when positive, else 0.
    /// Each charge is first rounded with the invoice's rule, because the invoice adds rounded lines:
    /// three charges of 33.333 show as 99.99, so the true-up must be 0.01 for the invoice to reach
    /// 100.00 (against the exact sum it would be 0.001, which rounds to nothing).
    /// </summary>
    /// <param name="currency">The invoice currency.</param>
    /// <param name="commitment">The committed amount for the period (prorate it first for a partial period).</param>
    /// <param name="periodCharges">Exact amounts of the lines that count towards the commitment.</param>
    public static decimal TrueUp(Currency currency, decimal commitment, IEnumerable<decimal> periodCharges)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(periodCharges);
        ArgumentOutOfRangeException.ThrowIfNegative(commitment);

        var charged = periodCharges.Sum(currency.Round);
        return Math.Max(0m, commitment - charged);
    }
}
