namespace UsagePortal.Pricing;

/// <summary>
/// What a charge prices for one period: the meter's aggregated quantity and, for percentage
/// models, the events behind it.
/// </summary>
/// <param name="Units">Aggregated quantity (for percentage models: the summed amount); never negative.</param>
/// <param name="EventCount">Number of events; only percentage models use it (fixed fee per paid event).</param>
/// <param name="EventValues">
/// Each event's value in time order; only percentage models use it, and need it when allowances
/// or per-transaction limits are set (<see cref="PricingStrategy.RequiresEventValues"/>).
/// </param>
public sealed record Usage(decimal Units, long EventCount = 0, IReadOnlyList<decimal>? EventValues = null)
{
    /// <summary>Usage known only as a quantity.</summary>
    public static Usage OfUnits(decimal units) => new(units);

    /// <summary>Usage known event by event: units are the sum, the count is the number of events.</summary>
    public static Usage OfEvents(params IReadOnlyList<decimal> eventValues) =>
        new(eventValues.Sum(), eventValues.Count, eventValues);
}
