using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Meters;

/// <summary>A meter with every version of its definition compiled, ready to evaluate events of any time.</summary>
public sealed class LoadedMeter(int id, string code, string name, IReadOnlyList<(DateTime EffectiveFrom, DateTime CreatedAt, MeterEvaluator Evaluator)> versions)
{
    public int Id { get; } = id;

    public string Code { get; } = code;

    public string Name { get; } = name;

    /// <summary>Oldest first. The first version also covers events older than its effective date.</summary>
    public IReadOnlyList<(DateTime EffectiveFrom, DateTime CreatedAt, MeterEvaluator Evaluator)> Versions { get; } = versions;

    /// <summary>
    /// How this meter counted a stored event (<see cref="StoredEvents.Incoming"/>), as ingestion counted it: by the version
    /// in force for the event's time, if that version existed when the event arrived. False when it did not count it.
    /// </summary>
    public bool TryCount(IncomingEvent incoming, DateTime receivedAt, out MeterReading reading)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        reading = default;
        return CountedBy(incoming.Time.UtcDateTime, receivedAt) is { } evaluator && evaluator.TryEvaluate(incoming, out reading);
    }

    /// <summary>The definition in force for an event of time <paramref name="utc"/>.</summary>
    public MeterEvaluator At(DateTime utc) => VersionAt(utc).Evaluator;

    /// <summary>
    /// The definition that counted (or would have counted) an event of time <paramref name="eventTime"/> received at
    /// <paramref name="receivedAt"/>, or null. Rollups are written at ingestion, so an event received before the version
    /// in force for it existed was never counted by it; reading raw events must agree with the rollups.
    /// </summary>
    public MeterEvaluator? CountedBy(DateTime eventTime, DateTime receivedAt)
    {
        var version = VersionAt(eventTime);
        return receivedAt >= version.CreatedAt ? version.Evaluator : null;
    }

    private (DateTime EffectiveFrom, DateTime CreatedAt, MeterEvaluator Evaluator) VersionAt(DateTime utc)
    {
        var chosen = Versions[0];
        foreach (var version in Versions)
        {
            if (version.EffectiveFrom <= utc)
            {
                chosen = version;
            }
        }

        return chosen;
    }

    public MeterDefinition Current => Versions[^1].Evaluator.Meter;
}

/// <summary>Stored event rows as the meters read them again (usage edges, per-event prices, the events behind an amount).</summary>
public static class StoredEvents
{
    /// <summary>The event a stored row of <paramref name="customerId"/> holds.</summary>
    public static IncomingEvent Incoming(int customerId, string eventId, string source, string type, DateTime time, string data) =>
        // Meters never read the subject, but IncomingEvent.Create refuses an empty one; the row holds the customer's id.
        IncomingEvent.Create(eventId, source, type, customerId.ToString(System.Globalization.CultureInfo.InvariantCulture), new DateTimeOffset(time, TimeSpan.Zero), data);
}

/// <summary>All meters, loaded once per request or unit of work (a small table).</summary>
public sealed class LoadedMeters
{
    private readonly Dictionary<string, LoadedMeter[]> byEventType;

    private LoadedMeters(IReadOnlyList<LoadedMeter> all)
    {
        All = all;
        byEventType = all
            .SelectMany(m => m.Versions.Select(v => (v.Evaluator.Meter.EventType, Meter: m)))
            .GroupBy(x => x.EventType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Meter).Distinct().ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<LoadedMeter> All { get; }

    /// <summary>Meters some version of which counts events of <paramref name="eventType"/>.</summary>
    public IReadOnlyList<LoadedMeter> ForEventType(string eventType) =>
        byEventType.TryGetValue(eventType, out var meters) ? meters : [];

    public static async Task<LoadedMeters> LoadAsync(UsagePortalDbContext db, CancellationToken cancellationToken = default)
    {
        var meters = await db.Meters.AsNoTracking().Include(m => m.Versions).OrderBy(m => m.Code).ToListAsync(cancellationToken);
        return new LoadedMeters(meters
            .Where(m => m.Versions.Count > 0)
            .Select(m => new LoadedMeter(m.Id, m.Code, m.Name, m.Versions
                .OrderBy(v => v.Version)
                .Select(v => (v.EffectiveFrom, v.CreatedAt, new MeterEvaluator(MeterMapping.ToDefinition(m, v))))
                .ToList()))
            .ToList());
    }
}

/// <summary>Between the stored meter version and the metering library's definition.</summary>
public static class MeterMapping
{
    public static MeterDefinition ToDefinition(Meter meter, MeterVersion version) => new()
    {
        Code = meter.Code,
        Name = meter.Name,
        EventType = version.EventType,
        Aggregation = MeterAggregationNames.TryParse(version.Aggregation, out var aggregation) ? aggregation : default,
        Property = version.Property,
        Filters = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(version.FiltersJson)!
            .ToDictionary(f => f.Key, f => (IReadOnlyList<string>)f.Value),
        GroupBy = JsonSerializer.Deserialize<List<string>>(version.GroupByJson)!,
    };

    public static void CopyDefinition(MeterDefinition definition, MeterVersion version)
    {
        version.EventType = definition.EventType;
        version.Aggregation = definition.Aggregation.ToWireName();
        version.Property = string.IsNullOrEmpty(definition.Property) ? null : definition.Property;
        version.FiltersJson = JsonSerializer.Serialize(definition.Filters.ToDictionary(f => f.Key, f => f.Value));
        version.GroupByJson = JsonSerializer.Serialize(definition.GroupBy);
    }

    /// <summary>Whether two definitions count the same events the same way (a rename is not a change of meaning).</summary>
    public static bool SameMeaning(MeterDefinition a, MeterDefinition b) =>
        a.EventType == b.EventType && a.Aggregation == b.Aggregation && (a.Property ?? "") == (b.Property ?? "")
        && a.GroupBy.SequenceEqual(b.GroupBy)
        && a.Filters.Count == b.Filters.Count
        && a.Filters.All(f => b.Filters.TryGetValue(f.Key, out var values) && values.SequenceEqual(f.Value));
}
