namespace UsagePortal.Pricing;

/// <summary>
/// The events a percentage charge would price for another total than the one observed. Percentage models with free
/// allowances or per-transaction limits price event by event, so a projected (or earlier) total must be turned back into
/// events before it goes through the same charge.
/// </summary>
/// <remarks>
/// A larger total keeps every observed event, in order, and adds the rest as events of the observed mean value (the last
/// one smaller, so the values sum to the total exactly): the events yet to come are assumed to look like those so far, so
/// the fixed fee per event and the per-event minimum and maximum keep applying at the observed pace. A smaller total (the
/// cumulative total on an earlier day) keeps the events in order until their running total reaches it, the last one cut
/// short. Without observed events a larger total is one event (nothing tells how it will be split). The added
/// events' size is the mean cut to whole millionths; at most <see cref="MaxAddedEvents"/> of them are added (and one for the
/// rest), beyond which they are larger than the mean.
/// </remarks>
public static class ProjectedEvents
{
    /// <summary>The most events <see cref="Fit"/> adds.</summary>
    public const int MaxAddedEvents = 100_000;

    /// <summary>Event values, in order, that sum to exactly <paramref name="total"/> (0 or less: no events).</summary>
    /// <param name="observed">The observed events' values in time order; none negative.</param>
    /// <param name="total">The total the events should sum to.</param>
    public static IReadOnlyList<decimal> Fit(IReadOnlyList<decimal> observed, decimal total)
    {
        ArgumentNullException.ThrowIfNull(observed);
        if (total <= 0m)
        {
            return [];
        }

        var sum = observed.Sum();
        if (total == sum)
        {
            // Every observed event, zero-valued ones included: each may carry a fixed fee.
            return [.. observed];
        }

        if (total < sum)
        {
            return Prefix(observed, total);
        }

        var values = new List<decimal>(observed);
        var extra = total - sum;
        // A short size (whole millionths, cut down) keeps every sum below exact: a mean such as 100/3 carries 28 digits,
        // and adding thousands of those would lose the last ones.
        var mean = observed.Count > 0 ? Millionths(sum / observed.Count) : 0m;
        if (mean <= 0m)
        {
            values.Add(extra);
            return values;
        }

        var size = extra / mean >= MaxAddedEvents ? Millionths(extra / MaxAddedEvents) : mean;
        var whole = size <= 0m ? 0 : (int)Math.Min(MaxAddedEvents, decimal.Floor(extra / size));
        for (var i = 0; i < whole; i++)
        {
            values.Add(size);
        }

        var rest = extra - (whole * size);
        if (rest > 0m)
        {
            values.Add(rest);
        }

        return values;
    }

    private static decimal Millionths(decimal value) => decimal.Floor(value * 1_000_000m) / 1_000_000m;

    private static List<decimal> Prefix(IReadOnlyList<decimal> observed, decimal total)
    {
        var values = new List<decimal>();
        var running = 0m;
        foreach (var value in observed)
        {
            if (running + value >= total)
            {
                values.Add(total - running);
                return values;
            }

            values.Add(value);
            running += value;
        }

        return values;
    }
}
