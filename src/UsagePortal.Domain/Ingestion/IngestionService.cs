using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Live;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Storage;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Ingestion;

/// <summary>What an ingestion call did: events newly counted, and events already seen (acknowledged, not counted again).</summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<int> CustomerIds);

/// <summary>
/// Stores a validated batch of events and folds the new ones into the hourly and daily rollups, in one transaction:
/// when it returns, the batch is durable and counted exactly once. Deduplication is the unique index on
/// (source, id): the insert skips a known event (ON CONFLICT DO NOTHING) and only the rows it really inserted
/// reach the rollups. How each database stores and merges is its dialect's (<see cref="IDatabaseDialect"/>).
/// </summary>
public sealed class IngestionService(UsagePortalDbContext db, TimeProvider clock, UsageNotifier notifier, MeterCache meterCache, DistinctValueCache distinctCache, CustomerDirectory directory, IDatabaseDialect dialect)
{
    /// <summary>Resolves subjects to customers; answers the events whose customer is unknown, or none.</summary>
    public async Task<(Dictionary<string, int> Customers, IReadOnlyList<FieldError> Errors)> ResolveCustomersAsync(IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken)
    {
        var customers = new Dictionary<string, int>(StringComparer.Ordinal);
        var unknownSubjects = new List<string>();
        foreach (var subject in events.Select(e => e.Subject).Distinct(StringComparer.Ordinal))
        {
            if (directory.TryGetValue(subject, out var id))
            {
                customers[subject] = id;
            }
            else
            {
                unknownSubjects.Add(subject);
            }
        }

        if (unknownSubjects.Count > 0)
        {
            foreach (var found in await db.Customers.AsNoTracking().Where(c => unknownSubjects.Contains(c.ExternalId)).Select(c => new { c.Id, c.ExternalId }).ToListAsync(cancellationToken))
            {
                customers[found.ExternalId] = found.Id;
                directory[found.ExternalId] = found.Id;
            }
        }

        var errors = new List<FieldError>();
        for (var index = 0; index < events.Count; index++)
        {
            if (!customers.ContainsKey(events[index].Subject))
            {
                errors.Add(new FieldError("subject", $"No customer has externalId '{events[index].Subject}'.", index));
            }
        }

        return (customers, errors);
    }

    /// <summary>
    /// Every value a meter would read but cannot use (PRODUCT.md, "Event values"), by event index and field: such a
    /// batch is refused as a whole rather than stored with events that silently do not count.
    /// </summary>
    public async Task<IReadOnlyList<FieldError>> CheckValuesAsync(IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken)
    {
        var meters = await meterCache.GetAsync(db, cancellationToken);
        var errors = new List<FieldError>();
        for (var index = 0; index < events.Count; index++)
        {
            var incoming = events[index];
            var time = incoming.Time.UtcDateTime;
            foreach (var meter in meters.ForEventType(incoming.Type))
            {
                foreach (var (field, reason) in meter.At(time).Check(incoming))
                {
                    // Two meters reading one bad value make one error.
                    if (!errors.Any(e => e.Index == index && e.Field == field))
                    {
                        errors.Add(new FieldError(field, reason, index));
                    }
                }
            }
        }

        return errors;
    }

    /// <summary>Stores <paramref name="events"/> (all valid, all of known customers) and counts the new ones.</summary>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, CancellationToken cancellationToken)
    {
        var unique = EventDeduplication.KeepFirst(events);
        var receivedAt = clock.GetUtcNow().UtcDateTime;
        var meters = await meterCache.GetAsync(db, cancellationToken);
        // Meters are evaluated before the write transaction (on SQLite, before taking the single writer's place).
        var readings = Evaluate(unique, customers, meters);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            using var writer = await dialect.EnterWriterAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var dbTransaction = transaction.GetDbTransaction();

            var inserted = await dialect.InsertEventsAsync(dbTransaction, unique, customers, receivedAt, cancellationToken);
            var touched = Fold(inserted, readings, out var distinct);
            // Both tiers, hours then days (PostgreSQL takes the rows' locks in that order in every batch: no deadlock).
            var distinctByTier = new[] { (RollupTier.Hour, distinct), (RollupTier.Day, RollupTiers.ToDays(distinct)) };
            foreach (var (tier, values) in distinctByTier)
            {
                values.RemoveWhere(d => distinctCache.IsKnown(tier, d.Key, d.Value));
            }

            if (touched.Count > 0)
            {
                await dialect.MergeRollupsAsync(dbTransaction, touched, receivedAt, RollupTier.Hour, cancellationToken);
                await dialect.MergeRollupsAsync(dbTransaction, RollupTiers.ToDays(touched), receivedAt, RollupTier.Day, cancellationToken);
            }

            foreach (var (tier, values) in distinctByTier.Where(t => t.Item2.Count > 0))
            {
                await dialect.InsertDistinctValuesAsync(dbTransaction, values, tier, cancellationToken);
            }

            var changedCustomers = inserted.Select(i => customers[unique[i.Index].Subject]).Distinct().Order().ToList();
            var announced = changedCustomers.Count > 0 && await dialect.AnnounceUsageAsync(dbTransaction, changedCustomers, cancellationToken);

            await transaction.CommitAsync(cancellationToken);
            dialect.OnCommitted();
            foreach (var (tier, values) in distinctByTier)
            {
                distinctCache.Remember(tier, values);
            }

            if (!announced && changedCustomers.Count > 0)
            {
                // No other node to tell: this node's open dashboards hear it directly.
                notifier.Publish(changedCustomers);
            }

            return new IngestResult(inserted.Count, events.Count - inserted.Count, changedCustomers);
        });
    }

    /// <summary>Every meter reading of every event of the batch, by position.</summary>
    private static List<(RollupKey Key, MeterReading Reading)>[] Evaluate(IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, LoadedMeters meters)
    {
        var readings = new List<(RollupKey, MeterReading)>[events.Count];
        for (var index = 0; index < events.Count; index++)
        {
            var incoming = events[index];
            var time = incoming.Time.UtcDateTime;
            var list = readings[index] = [];
            foreach (var meter in meters.ForEventType(incoming.Type))
            {
                if (meter.At(time).TryEvaluate(incoming, out var reading))
                {
                    list.Add((new RollupKey(customers[incoming.Subject], meter.Id, FloorToHour(time), reading.GroupKey), reading));
                }
            }
        }

        return readings;
    }

    /// <summary>Folds the readings of the events really inserted into one aggregate per rollup row.</summary>
    private static Dictionary<RollupKey, Aggregate> Fold(IReadOnlyList<InsertedEvent> inserted, List<(RollupKey Key, MeterReading Reading)>[] readings, out HashSet<(RollupKey Key, string Value)> distinct)
    {
        var touched = new Dictionary<RollupKey, Aggregate>();
        distinct = [];
        foreach (var (sequence, index) in inserted)
        {
            foreach (var (key, reading) in readings[index])
            {
                touched[key] = touched.TryGetValue(key, out var aggregate) ? aggregate.Add(reading, sequence) : Aggregate.Of(reading, sequence);
                if (reading.UniqueValue is { } value)
                {
                    distinct.Add((key, value));
                }
            }
        }

        return touched;
    }

    private static DateTime FloorToHour(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
}
