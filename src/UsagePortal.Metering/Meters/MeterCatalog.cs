namespace UsagePortal.Metering;

/// <summary>A set of compiled meters indexed by event type, so each event meets only the meters that read it.</summary>
public sealed class MeterCatalog
{
    private readonly Dictionary<string, MeterEvaluator[]> byEventType;

    /// <summary>Compiles every meter.</summary>
    /// <exception cref="InvalidMeterException">A meter is invalid.</exception>
    public MeterCatalog(IEnumerable<MeterDefinition> meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        All = meters.Select(meter => new MeterEvaluator(meter)).ToArray();
        byEventType = All
            .GroupBy(evaluator => evaluator.Meter.EventType, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Every meter, in the order given.</summary>
    public IReadOnlyList<MeterEvaluator> All { get; }

    /// <summary>The meters whose event type is <paramref name="eventType"/>; empty when none.</summary>
    public IReadOnlyList<MeterEvaluator> ForEventType(string eventType) =>
        byEventType.TryGetValue(eventType, out var evaluators) ? evaluators : [];
}
