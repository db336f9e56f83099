namespace UsagePortal.Pricing;

/// <summary>
/// Negative values in a summed meter are corrections (a refund, a re-count), not transactions. Models that price event by
/// event (percentage with allowances, fixed fees or per-transaction limits) need every value non-negative, so corrections
/// are netted against the events before them first.
/// </summary>
/// <remarks>
/// A correction reduces the most recent earlier events, newest first, each down to 0; what it cannot take from earlier
/// events reduces the next events as they come. A correction is not an event: it pays no fixed fee and no minimum. An
/// event reduced to 0 stays an event (a refunded transaction still happened). The netted values sum to
/// <c>max(0, sum of the values)</c>, the priced quantity of the period, so a period never prices below 0.
/// </remarks>
public static class EventCorrections
{
    /// <summary>The non-negative events' values, in order, with every correction netted against them.</summary>
    public static IReadOnlyList<decimal> Net(IReadOnlyList<decimal> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!values.Any(v => v < 0m))
        {
            return values;
        }

        var netted = new List<decimal>(values.Count);
        var credit = 0m;
        foreach (var value in values)
        {
            if (value >= 0m)
            {
                var taken = Math.Min(credit, value);
                credit -= taken;
                netted.Add(value - taken);
                continue;
            }

            var remaining = -value;
            for (var i = netted.Count - 1; i >= 0 && remaining > 0m; i--)
            {
                var taken = Math.Min(remaining, netted[i]);
                netted[i] -= taken;
                remaining -= taken;
            }

            credit += remaining;
        }

        return netted;
    }

    /// <summary>The quantity a period is priced at: never below 0, whatever corrections it holds.</summary>
    public static decimal PricedQuantity(decimal quantity) => quantity < 0m ? 0m : quantity;
}
