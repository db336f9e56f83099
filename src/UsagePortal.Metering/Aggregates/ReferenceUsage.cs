namespace UsagePortal.Metering;

/// <summary>
/// A deliberately plain computation of a meter's quantities straight from raw events, with no partial
/// aggregates and no buckets: the oracle that tests hold the database rollups and <see cref="Aggregate"/>
/// merges against. Not for production paths: it reads every event every time.
/// </summary>
public static class ReferenceUsage
{
    /// <summary>
    /// Quantity per group key for events with <paramref name="from"/> ≤ time &lt; <paramref name="to"/>.
    /// Groups with no contributing event are absent. The events' order is their storage order: the
    /// position in the sequence breaks <c>latest</c> ties, as the event row id does in storage.
    /// </summary>
    public static IReadOnlyDictionary<string, decimal> Compute(MeterDefinition meter, IEnumerable<IncomingEvent> events, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Compute(meter, events.Select((e, position) => (e, (long)position)), from, to);
    }

    /// <summary>Quantity per group key, with each event's storage sequence given explicitly.</summary>
    public static IReadOnlyDictionary<string, decimal> Compute(MeterDefinition meter, IEnumerable<(IncomingEvent Event, long Sequence)> events, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(events);
        var evaluator = new MeterEvaluator(meter);

        var readings = new List<(MeterReading Reading, long Sequence)>();
        foreach (var (e, sequence) in events)
        {
            if (e.Time >= from && e.Time < to && evaluator.TryEvaluate(e, out var reading))
            {
                readings.Add((reading, sequence));
            }
        }

        return readings
            .GroupBy(r => r.Reading.GroupKey, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => meter.Aggregation switch
                {
                    MeterAggregation.Count => group.Count(),
                    MeterAggregation.Sum => group.Sum(r => r.Reading.Value!.Value),
                    MeterAggregation.Max => group.Max(r => r.Reading.Value!.Value),
                    MeterAggregation.UniqueCount => group.Select(r => r.Reading.UniqueValue!).Distinct(StringComparer.Ordinal).Count(),
                    MeterAggregation.Latest => group
                        .OrderBy(r => r.Reading.Time)
                        .ThenBy(r => r.Sequence)
                        .ThenBy(r => r.Reading.Value!.Value)
                        .Last().Reading.Value!.Value,
                    _ => throw new ArgumentOutOfRangeException(nameof(meter), meter.Aggregation, "Not a meter aggregation."),
                },
                StringComparer.Ordinal);
    }
}
