using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Storage;
using UsagePortal.Metering;

namespace UsagePortal.Domain.UsageReads;

public sealed record GroupUsage(string GroupKey, IReadOnlyDictionary<string, string?> Key, decimal Quantity);

public sealed record MeterUsage(string Code, string Name, MeterAggregation Aggregation, decimal Quantity, IReadOnlyList<GroupUsage> Groups);

public sealed record UsageReport(DateTime From, DateTime To, IReadOnlyList<MeterUsage> Meters);

/// <summary>
/// A customer's usage over [from, to), per meter and group. Whole UTC days come from the daily rollups and the other
/// whole hours from the hourly ones, so the cost grows neither with the number of events nor much with the range; the
/// partial hours at either edge (only when a bound is not on the hour) come from the raw events. unique_count unions
/// the distinct values of both tiers and the edges, so it stays exact over any range.
/// </summary>
public sealed class UsageQuery(UsagePortalDbContext db, IDatabaseDialect dialect, DailyTierState tierState)
{
    private Dictionary<(int CustomerId, DateTime From, DateTime To), UsageReport>? prefetched;
    private Dictionary<(int CustomerId, DateTime From, DateTime To), UsageReport>? shared;

    /// <summary>
    /// From now on, a read of the same customer and range as an earlier one is answered from memory: for one request
    /// that reads the same usage for its quantities and again for their cost. Never for long-lived work (the invoicer),
    /// which must see events that arrive meanwhile.
    /// </summary>
    public void ShareReads() => shared ??= [];

    public async Task<UsageReport> GetAsync(int customerId, DateTime from, DateTime to, CancellationToken cancellationToken = default) =>
        await GetAsync(customerId, from, to, await LoadedMeters.LoadAsync(db, cancellationToken), cancellationToken);

    /// <summary>The same, with meters the caller already loaded (the invoicer loads them once per run).</summary>
    public async Task<UsageReport> GetAsync(int customerId, DateTime from, DateTime to, LoadedMeters meters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(meters);
        if (prefetched is not null && prefetched.TryGetValue((customerId, from, to), out var ready)
            || shared is not null && shared.TryGetValue((customerId, from, to), out ready))
        {
            return ready;
        }

        // The bounds as the database compares them (events are stored no finer than it keeps time).
        var (start, end) = (dialect.StoredTimeCeiling(from), dialect.StoredTimeCeiling(to));
        var exact = end > start ? HourBuckets.Split(new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(end, TimeSpan.Zero)) : default;
        // Edge hours are first read whole from their rollups, and checked afterwards to hold no event outside the range:
        // events are only ever added, so none found after the reads means none was there when they ran. Otherwise (a
        // range ending inside an hour with later events in it) the edges are read again from the raw events.
        var widened = exact.Leading is null && exact.Trailing is null ? exact : new HourSplit(null, WholeHoursAround(start, end), null);
        var (aggregates, distinct, counted) = await ReadAsync(customerId, widened, meters, cancellationToken);
        if (widened != exact && !await NothingOutsideAsync(customerId, widened.WholeHours!.Value, start, end, cancellationToken))
        {
            (aggregates, distinct, counted) = await ReadAsync(customerId, exact, meters, cancellationToken);
        }

        var report = Report(meters, from, to, aggregates, distinct, counted);
        if (shared is not null)
        {
            shared[(customerId, from, to)] = report;
        }

        return report;
    }

    /// <summary>The aggregates of a split: whole hours from the rollups (and distinct values), partial edges from the raw events.</summary>
    private async Task<(Dictionary<(int MeterId, string GroupKey), Aggregate> Aggregates, Dictionary<(int MeterId, string GroupKey), HashSet<string>> Distinct, DistinctCounts? Counted)> ReadAsync(
        int customerId, HourSplit split, LoadedMeters meters, CancellationToken cancellationToken)
    {
        var aggregates = new Dictionary<(int MeterId, string GroupKey), Aggregate>();
        var distinct = new Dictionary<(int MeterId, string GroupKey), HashSet<string>>();
        DistinctCounts? counted = null;
        TierSpan? span = null;
        if (split.WholeHours is { } whole)
        {
            span = await SpanAsync(whole.Start.UtcDateTime, whole.End.UtcDateTime, cancellationToken);
            await AddRollupsAsync(customerId, span.Value, aggregates, cancellationToken);
            if (AnyUniqueCount(meters))
            {
                // The database counts the whole hours' distinct values; no value leaves it. Values seen only in
                // the partial hours at the edges are added below, after checking which the whole hours already have.
                counted = (await CountDistinctAsync([customerId], span.Value, cancellationToken)).GetValueOrDefault(customerId, DistinctCounts.None);
            }
        }

        foreach (var edge in new[] { split.Leading, split.Trailing })
        {
            if (edge is { } range)
            {
                await AddRawEventsAsync(customerId, range.Start.UtcDateTime, range.End.UtcDateTime, meters, aggregates, distinct, cancellationToken);
            }
        }

        if (counted is not null && span is { } wholeSpan && distinct.Count > 0)
        {
            counted = await WithEdgeValuesAsync(customerId, wholeSpan, counted, distinct, cancellationToken);
        }

        return (aggregates, distinct, counted);
    }

    /// <summary>
    /// Reads the usage of many customers over the same whole hours [from, to) with one query per table, and keeps the
    /// reports for <see cref="GetAsync(int, DateTime, DateTime, LoadedMeters, CancellationToken)"/> to answer from memory
    /// until <see cref="ForgetPrefetched"/>: the invoicer rates a batch of periods this way rather than making a round
    /// trip per customer. A range that is not on whole hours is not prefetched; GetAsync reads it as usual.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyCollection<int> customerIds, DateTime from, DateTime to, LoadedMeters meters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        ArgumentNullException.ThrowIfNull(meters);
        var split = HourBuckets.Split(new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(to, TimeSpan.Zero));
        if (customerIds.Count == 0 || to <= from || split.WholeHours is not { } whole || split.Leading is not null || split.Trailing is not null)
        {
            return;
        }

        var span = await SpanAsync(whole.Start.UtcDateTime, whole.End.UtcDateTime, cancellationToken);
        var aggregates = customerIds.Distinct().ToDictionary(id => id, _ => new Dictionary<(int MeterId, string GroupKey), Aggregate>());
        foreach (var row in await RollupsAsync(customerIds, span, cancellationToken))
        {
            Add(aggregates[row.CustomerId], row);
        }

        var counted = AnyUniqueCount(meters) ? await CountDistinctAsync(customerIds, span, cancellationToken) : null;
        prefetched ??= [];
        foreach (var (customerId, customerAggregates) in aggregates)
        {
            prefetched[(customerId, from, to)] = Report(meters, from, to, customerAggregates, [],
                counted is null ? null : counted.GetValueOrDefault(customerId, DistinctCounts.None));
        }
    }

    /// <summary>Drops what <see cref="PrefetchAsync"/> read: later reads go to the database again.</summary>
    public void ForgetPrefetched() => prefetched = null;

    /// <summary>
    /// The whole hours around [<paramref name="start"/>, <paramref name="end"/>): their rollups (and distinct values) hold
    /// exactly the range's events when the parts outside it hold none (<see cref="NothingOutsideAsync"/> checks), and then
    /// no event of the edges needs reading and metering. The common case: a range that ends now (the current period),
    /// whose last hour has no event after now.
    /// </summary>
    private static TimeRange WholeHoursAround(DateTime start, DateTime end)
    {
        var last = HourBuckets.FloorToHour(new DateTimeOffset(end, TimeSpan.Zero));
        return new TimeRange(HourBuckets.FloorToHour(new DateTimeOffset(start, TimeSpan.Zero)), last.UtcDateTime == end ? last : last.AddHours(1));
    }

    /// <summary>Whether the parts of <paramref name="hours"/> outside [<paramref name="start"/>, <paramref name="end"/>) hold no event (one indexed query).</summary>
    private async Task<bool> NothingOutsideAsync(int customerId, TimeRange hours, DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var (before, after) = (hours.Start.UtcDateTime, hours.End.UtcDateTime);
        return !await db.UsageEvents.AnyAsync(
            e => e.CustomerId == customerId && (e.Time >= before && e.Time < start || e.Time >= end && e.Time < after),
            cancellationToken);
    }

    /// <summary>Distinct values are stored for unique_count meters only: without one there is nothing to count.</summary>
    private static bool AnyUniqueCount(LoadedMeters meters) =>
        meters.All.Any(m => m.Versions.Any(v => v.Evaluator.Meter.Aggregation == MeterAggregation.UniqueCount));

    private static UsageReport Report(LoadedMeters meters, DateTime from, DateTime to, Dictionary<(int MeterId, string GroupKey), Aggregate> aggregates,
        Dictionary<(int MeterId, string GroupKey), HashSet<string>> distinct, DistinctCounts? counted)
    {
        var report = meters.All.Select(meter =>
        {
            var aggregation = meter.At(from).Meter.Aggregation;
            var groups = aggregates.Keys.Concat(distinct.Keys).Concat(counted?.ByGroup.Keys.AsEnumerable() ?? []).Where(k => k.MeterId == meter.Id).Select(k => k.GroupKey).Distinct().Order(StringComparer.Ordinal)
                .Select(groupKey => new GroupUsage(groupKey, GroupKey.Parse(groupKey), aggregation == MeterAggregation.UniqueCount && counted is not null
                    ? counted.ByGroup.GetValueOrDefault((meter.Id, groupKey))
                    : Quantity(aggregation, aggregates, distinct, (meter.Id, groupKey))))
                .ToList();
            var total = aggregation switch
            {
                MeterAggregation.UniqueCount when counted is not null => counted.ByMeter.GetValueOrDefault(meter.Id),
                MeterAggregation.UniqueCount => distinct.Where(d => d.Key.MeterId == meter.Id).SelectMany(d => d.Value).Distinct(StringComparer.Ordinal).Count(),
                MeterAggregation.Max => groups.Count == 0 ? 0 : groups.Max(g => g.Quantity),
                MeterAggregation.Latest => LatestOverGroups(meter.Id, aggregates),
                _ => groups.Sum(g => g.Quantity),
            };
            return new MeterUsage(meter.Code, meter.Name, aggregation, total, meter.At(from).Meter.GroupBy.Count == 0 ? [] : groups);
        }).ToList();
        return new UsageReport(from, to, report);
    }

    private static decimal Quantity(MeterAggregation aggregation, Dictionary<(int, string), Aggregate> aggregates, Dictionary<(int, string), HashSet<string>> distinct, (int, string) key) =>
        aggregation == MeterAggregation.UniqueCount
            ? distinct.TryGetValue(key, out var values) ? values.Count : 0
            : aggregates.TryGetValue(key, out var aggregate) ? aggregate.Quantity(aggregation) : 0;

    /// <summary>Across groups, latest is the value of the group whose last event is the latest.</summary>
    private static decimal LatestOverGroups(int meterId, Dictionary<(int MeterId, string GroupKey), Aggregate> aggregates)
    {
        var merged = Aggregate.Empty;
        foreach (var (key, aggregate) in aggregates)
        {
            if (key.MeterId == meterId)
            {
                merged = merged.Merge(aggregate);
            }
        }

        return merged.Quantity(MeterAggregation.Latest);
    }

    private sealed record DistinctCounts(Dictionary<(int MeterId, string GroupKey), long> ByGroup, Dictionary<int, long> ByMeter)
    {
        public static readonly DistinctCounts None = new([], []);
    }

    /// <summary>Distinct values counted by the database over both tiers of <paramref name="span"/>, per customer.</summary>
    private async Task<Dictionary<int, DistinctCounts>> CountDistinctAsync(IReadOnlyCollection<int> customerIds, TierSpan span, CancellationToken cancellationToken)
    {
        // Per group and per meter in one query (UNION ALL): a meter's row has no group key. Each counts the values of
        // the hourly rows at the edges and the daily rows between them together, so a value seen in both counts once.
        var values = DistinctValues(customerIds, span);
        var counts = await values
            .GroupBy(d => new { d.CustomerId, d.MeterId, d.GroupKey })
            .Select(g => new { g.Key.CustomerId, g.Key.MeterId, GroupKey = (string?)g.Key.GroupKey, Count = g.Select(d => d.Value).Distinct().Count() })
            .Concat(values
                .GroupBy(d => new { d.CustomerId, d.MeterId })
                .Select(g => new { g.Key.CustomerId, g.Key.MeterId, GroupKey = (string?)null, Count = g.Select(d => d.Value).Distinct().Count() }))
            .ToListAsync(cancellationToken);
        return customerIds.Distinct().ToDictionary(id => id, id => new DistinctCounts(
            counts.Where(g => g.CustomerId == id && g.GroupKey is not null).ToDictionary(g => (g.MeterId, g.GroupKey!), g => (long)g.Count),
            counts.Where(m => m.CustomerId == id && m.GroupKey is null).ToDictionary(m => m.MeterId, m => (long)m.Count)));
    }

    /// <summary>
    /// The distinct values of <paramref name="span"/>: hourly rows at its edges, daily rows between them, as three plain
    /// ranges of the (customer, bucket) keys.
    /// </summary>
    private IQueryable<DistinctValueData> DistinctValues(IReadOnlyCollection<int> customerIds, TierSpan span)
    {
        IQueryable<DistinctValueData> Hours(DateTime from, DateTime to) => db.UsageDistinctValues.AsNoTracking()
            .Where(d => customerIds.Contains(d.CustomerId) && d.BucketStart >= from && d.BucketStart < to)
            .Select(d => new DistinctValueData { CustomerId = d.CustomerId, MeterId = d.MeterId, GroupKey = d.GroupKey, Value = d.Value });
        return Hours(span.Start, span.DaysStart)
            .Concat(db.UsageDailyDistinctValues.AsNoTracking()
                .Where(d => customerIds.Contains(d.CustomerId) && d.BucketStart >= span.DaysStart && d.BucketStart < span.DaysEnd)
                .Select(d => new DistinctValueData { CustomerId = d.CustomerId, MeterId = d.MeterId, GroupKey = d.GroupKey, Value = d.Value }))
            .Concat(Hours(span.DaysEnd, span.End));
    }

    /// <summary>
    /// [<paramref name="start"/>, <paramref name="end"/>) (whole hours) as the tiers read it: the whole UTC days inside it
    /// that the daily tier holds completely (<see cref="DailyTierState"/>), and hours at either side.
    /// </summary>
    private async Task<TierSpan> SpanAsync(DateTime start, DateTime end, CancellationToken cancellationToken)
    {
        var completeFrom = await tierState.CompleteFromAsync(db, cancellationToken);
        var first = start > completeFrom ? start : completeFrom;
        var daysStart = first == DateTime.MaxValue ? end : RollupTiers.FloorToDay(first) == first ? first : RollupTiers.FloorToDay(first).AddDays(1);
        var daysEnd = RollupTiers.FloorToDay(end);
        return daysStart < daysEnd ? new TierSpan(start, daysStart, daysEnd, end) : new TierSpan(start, end, end, end);
    }

    /// <summary>Whole hours [Start, End), of which [DaysStart, DaysEnd) (possibly empty) is read from the daily tier.</summary>
    private readonly record struct TierSpan(DateTime Start, DateTime DaysStart, DateTime DaysEnd, DateTime End);

    private sealed class DistinctValueData
    {
        public int CustomerId { get; init; }

        public int MeterId { get; init; }

        public string GroupKey { get; init; } = "";

        public string Value { get; init; } = "";
    }

    /// <summary>
    /// The whole hours' distinct counts plus the edge values they do not already hold, per group and per meter: the exact
    /// union, with only the (few) edge values sent to the database.
    /// </summary>
    private async Task<DistinctCounts> WithEdgeValuesAsync(int customerId, TierSpan span, DistinctCounts counted,
        Dictionary<(int MeterId, string GroupKey), HashSet<string>> edges, CancellationToken cancellationToken)
    {
        var byGroup = new Dictionary<(int MeterId, string GroupKey), long>(counted.ByGroup);
        var byMeter = new Dictionary<int, long>(counted.ByMeter);
        foreach (var meterId in edges.Keys.Select(k => k.MeterId).Distinct())
        {
            var values = edges.Where(e => e.Key.MeterId == meterId).SelectMany(e => e.Value).Distinct(StringComparer.Ordinal).ToList();
            var known = await DistinctValues([customerId], span)
                .Where(d => d.MeterId == meterId && values.Contains(d.Value))
                .Select(d => new { d.GroupKey, d.Value })
                .Distinct()
                .ToListAsync(cancellationToken);
            var knownInGroup = known.ToLookup(k => k.GroupKey, k => k.Value, StringComparer.Ordinal);
            foreach (var (key, set) in edges.Where(e => e.Key.MeterId == meterId))
            {
                var seen = knownInGroup[key.GroupKey].ToHashSet(StringComparer.Ordinal);
                byGroup[key] = byGroup.GetValueOrDefault(key) + set.Count(value => !seen.Contains(value));
            }

            var seenInMeter = known.Select(k => k.Value).ToHashSet(StringComparer.Ordinal);
            byMeter[meterId] = byMeter.GetValueOrDefault(meterId) + values.Count(value => !seenInMeter.Contains(value));
        }

        return new DistinctCounts(byGroup, byMeter);
    }

    private async Task AddRollupsAsync(int customerId, TierSpan span, Dictionary<(int, string), Aggregate> aggregates, CancellationToken cancellationToken)
    {
        foreach (var row in await RollupsAsync([customerId], span, cancellationToken))
        {
            Add(aggregates, row);
        }
    }

    /// <summary>The rollups of <paramref name="span"/> in one query: hourly rows at its edges, daily rows between them.</summary>
    private Task<List<UsageRollup>> RollupsAsync(IReadOnlyCollection<int> customerIds, TierSpan span, CancellationToken cancellationToken)
    {
        IQueryable<UsageRollup> Hours(DateTime from, DateTime to) => db.UsageRollups.AsNoTracking()
            .Where(r => customerIds.Contains(r.CustomerId) && r.BucketStart >= from && r.BucketStart < to)
            .Select(r => new UsageRollup { CustomerId = r.CustomerId, MeterId = r.MeterId, GroupKey = r.GroupKey, BucketStart = r.BucketStart, Count = r.Count, Sum = r.Sum, Max = r.Max, LatestValue = r.LatestValue, LatestTime = r.LatestTime, LatestSequence = r.LatestSequence });
        return Hours(span.Start, span.DaysStart)
            .Concat(db.UsageDailyRollups.AsNoTracking()
                .Where(r => customerIds.Contains(r.CustomerId) && r.BucketStart >= span.DaysStart && r.BucketStart < span.DaysEnd)
                .Select(r => new UsageRollup { CustomerId = r.CustomerId, MeterId = r.MeterId, GroupKey = r.GroupKey, BucketStart = r.BucketStart, Count = r.Count, Sum = r.Sum, Max = r.Max, LatestValue = r.LatestValue, LatestTime = r.LatestTime, LatestSequence = r.LatestSequence }))
            .Concat(Hours(span.DaysEnd, span.End))
            .ToListAsync(cancellationToken);
    }

    private static void Add(Dictionary<(int, string), Aggregate> aggregates, RollupRow row)
    {
        var key = (row.MeterId, row.GroupKey);
        var aggregate = RollupAggregates.From(row);
        aggregates[key] = aggregates.TryGetValue(key, out var existing) ? existing.Merge(aggregate) : aggregate;
    }

    private async Task AddRawEventsAsync(int customerId, DateTime start, DateTime end, LoadedMeters meters, Dictionary<(int, string), Aggregate> aggregates, Dictionary<(int, string), HashSet<string>> distinct, CancellationToken cancellationToken)
    {
        var events = await db.UsageEvents.AsNoTracking()
            .Where(e => e.CustomerId == customerId && e.Time >= start && e.Time < end)
            .Select(e => new { e.Id, e.EventId, e.Source, e.Type, e.Time, e.ReceivedAt, e.Data })
            .ToListAsync(cancellationToken);
        foreach (var stored in events)
        {
            var incoming = StoredEvents.Incoming(customerId, stored.EventId, stored.Source, stored.Type, stored.Time, stored.Data);
            foreach (var meter in meters.ForEventType(stored.Type))
            {
                if (!meter.TryCount(incoming, stored.ReceivedAt, out var reading))
                {
                    continue;
                }

                var key = (meter.Id, reading.GroupKey);
                aggregates[key] = aggregates.TryGetValue(key, out var existing) ? existing.Add(reading, stored.Id) : Aggregate.Of(reading, stored.Id);
                if (reading.UniqueValue is { } value)
                {
                    Set(distinct, key).Add(value);
                }
            }
        }
    }

    private static HashSet<string> Set(Dictionary<(int, string), HashSet<string>> distinct, (int, string) key)
    {
        if (!distinct.TryGetValue(key, out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            distinct[key] = set;
        }

        return set;
    }
}
