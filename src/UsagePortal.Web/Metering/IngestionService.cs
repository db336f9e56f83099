using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Metering;
using UsagePortal.Web.Api;

namespace UsagePortal.Web.Metering;

/// <summary>What an ingestion call did: events newly counted, and events already seen (acknowledged, not counted again).</summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<int> CustomerIds);

/// <summary>
/// Stores a validated batch of events and folds the new ones into the hourly rollups, in one transaction:
/// when it returns, the batch is durable and counted exactly once. Deduplication is the unique index on
/// (source, id): the insert skips a known event (ON CONFLICT DO NOTHING) and only the rows it really inserted
/// reach the rollups. Rollup rows are read, merged and written back under a lock (SQLite's single writer;
/// a per-customer advisory lock on PostgreSQL), so concurrent batches never lose an update.
/// </summary>
public sealed class IngestionService(UsagePortalDbContext db, TimeProvider clock, UsageNotifier notifier)
{
    /// <summary>Resolves subjects to customers; answers the events whose customer is unknown, or none.</summary>
    public async Task<(Dictionary<string, int> Customers, IReadOnlyList<ProblemError> Errors)> ResolveCustomersAsync(IReadOnlyList<IncomingEvent> events, CancellationToken cancellationToken)
    {
        var subjects = events.Select(e => e.Subject).Distinct(StringComparer.Ordinal).ToList();
        var customers = await db.Customers.AsNoTracking()
            .Where(c => subjects.Contains(c.ExternalId))
            .Select(c => new { c.Id, c.ExternalId })
            .ToDictionaryAsync(c => c.ExternalId, c => c.Id, StringComparer.Ordinal, cancellationToken);
        var errors = new List<ProblemError>();
        for (var index = 0; index < events.Count; index++)
        {
            if (!customers.ContainsKey(events[index].Subject))
            {
                errors.Add(new ProblemError("subject", $"No customer has externalId '{events[index].Subject}'.", index));
            }
        }

        return (customers, errors);
    }

    /// <summary>Stores <paramref name="events"/> (all valid, all of known customers) and counts the new ones.</summary>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, CancellationToken cancellationToken)
    {
        var unique = EventDeduplication.KeepFirst(events);
        var receivedAt = clock.GetUtcNow().UtcDateTime;
        var meters = await LoadedMeters.LoadAsync(db, cancellationToken);
        var customerIds = unique.Select(e => customers[e.Subject]).Distinct().Order().ToList();
        var postgres = db.Database.IsNpgsql();

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var dbTransaction = transaction.GetDbTransaction();
            if (postgres)
            {
                await LockCustomersAsync(dbTransaction, customerIds, cancellationToken);
            }

            var inserted = postgres
                ? await InsertPostgresAsync(dbTransaction, unique, customers, receivedAt, cancellationToken)
                : await InsertSqliteAsync(dbTransaction, unique, customers, receivedAt, cancellationToken);

            var touched = Fold(inserted, customers, meters, out var distinct);
            await WriteRollupsAsync(touched, receivedAt, cancellationToken);
            if (distinct.Count > 0)
            {
                await InsertDistinctAsync(dbTransaction, distinct, postgres, cancellationToken);
            }

            var changedCustomers = inserted.Select(i => customers[i.Event.Subject]).Distinct().Order().ToList();
            if (postgres && changedCustomers.Count > 0)
            {
                await NotifyPostgresAsync(dbTransaction, changedCustomers, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            if (!postgres && changedCustomers.Count > 0)
            {
                // One node only on SQLite: tell this node's open dashboards directly.
                notifier.Publish(changedCustomers);
            }

            return new IngestResult(inserted.Count, events.Count - inserted.Count, changedCustomers);
        });
    }

    private readonly record struct RollupKey(int CustomerId, int MeterId, DateTime BucketStart, string GroupKey);

    private readonly record struct InsertedEvent(long Sequence, IncomingEvent Event);

    private static Dictionary<RollupKey, Aggregate> Fold(IReadOnlyList<InsertedEvent> inserted, IReadOnlyDictionary<string, int> customers, LoadedMeters meters, out HashSet<(RollupKey Key, string Value)> distinct)
    {
        var touched = new Dictionary<RollupKey, Aggregate>();
        distinct = [];
        foreach (var (sequence, incoming) in inserted)
        {
            var time = incoming.Time.UtcDateTime;
            foreach (var meter in meters.ForEventType(incoming.Type))
            {
                if (!meter.At(time).TryEvaluate(incoming, out var reading))
                {
                    continue;
                }

                var key = new RollupKey(customers[incoming.Subject], meter.Id, FloorToHour(time), reading.GroupKey);
                touched[key] = touched.TryGetValue(key, out var aggregate) ? aggregate.Add(reading, sequence) : Aggregate.Of(reading, sequence);
                if (reading.UniqueValue is { } value)
                {
                    distinct.Add((key, value));
                }
            }
        }

        return touched;
    }

    private async Task WriteRollupsAsync(Dictionary<RollupKey, Aggregate> touched, DateTime now, CancellationToken cancellationToken)
    {
        if (touched.Count == 0)
        {
            return;
        }

        var customerIds = touched.Keys.Select(k => k.CustomerId).Distinct().ToList();
        var meterIds = touched.Keys.Select(k => k.MeterId).Distinct().ToList();
        var buckets = touched.Keys.Select(k => k.BucketStart).Distinct().ToList();
        var existing = (await db.UsageRollups
                .Where(r => customerIds.Contains(r.CustomerId) && meterIds.Contains(r.MeterId) && buckets.Contains(r.BucketStart))
                .ToListAsync(cancellationToken))
            .ToDictionary(r => new RollupKey(r.CustomerId, r.MeterId, r.BucketStart, r.GroupKey));

        foreach (var (key, fresh) in touched)
        {
            if (existing.TryGetValue(key, out var row))
            {
                Apply(row, RollupAggregates.From(row).Merge(fresh), now);
            }
            else
            {
                row = new UsageRollup { CustomerId = key.CustomerId, MeterId = key.MeterId, BucketStart = key.BucketStart, GroupKey = key.GroupKey };
                Apply(row, fresh, now);
                db.UsageRollups.Add(row);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Apply(UsageRollup row, Aggregate aggregate, DateTime now)
    {
        row.Count = aggregate.Count;
        row.Sum = aggregate.Sum;
        row.Max = aggregate.Max;
        row.LatestValue = aggregate.Latest?.Value;
        row.LatestTime = aggregate.Latest?.Time.UtcDateTime;
        row.LatestSequence = aggregate.Latest?.Sequence;
        row.UpdatedAt = now;
    }

    private static DateTime FloorToHour(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    private static async Task LockCustomersAsync(DbTransaction transaction, IReadOnlyList<int> customerIds, CancellationToken cancellationToken)
    {
        // Sorted ids, so that two batches for the same customers never wait on each other in opposite order.
        await using var command = Command(transaction, "SELECT pg_advisory_xact_lock(7301, id) FROM unnest(@ids) AS id ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = customerIds.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<InsertedEvent>> InsertPostgresAsync(DbTransaction transaction, IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, DateTime receivedAt, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, """
            INSERT INTO "UsageEvents" ("CustomerId", "Source", "EventId", "Type", "Time", "ReceivedAt", "Data")
            SELECT c, s, e, t, tm, @received, d FROM unnest(@c, @s, @e, @t, @tm, @d) AS x(c, s, e, t, tm, d)
            ON CONFLICT ("Source", "EventId") DO NOTHING
            RETURNING "Id", "Source", "EventId"
            """);
        command.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = events.Select(e => customers[e.Subject]).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.Source).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("e", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.Type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("tm", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = events.Select(e => e.Time.UtcDateTime).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = events.Select(e => e.DataJson).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("received", NpgsqlDbType.TimestampTz) { Value = receivedAt });

        var byKey = new Dictionary<(string, string), IncomingEvent>(events.Count);
        foreach (var incoming in events)
        {
            byKey[(incoming.Source, incoming.Id)] = incoming;
        }

        var inserted = new List<InsertedEvent>(events.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(new InsertedEvent(reader.GetInt64(0), byKey[(reader.GetString(1), reader.GetString(2))]));
        }

        return inserted;
    }

    private static async Task<List<InsertedEvent>> InsertSqliteAsync(DbTransaction transaction, IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, DateTime receivedAt, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, """
            INSERT INTO "UsageEvents" ("CustomerId", "Source", "EventId", "Type", "Time", "ReceivedAt", "Data")
            VALUES ($c, $s, $e, $t, $tm, $r, $d)
            ON CONFLICT ("Source", "EventId") DO NOTHING
            RETURNING "Id"
            """);
        var c = Parameter(command, "$c");
        var s = Parameter(command, "$s");
        var e = Parameter(command, "$e");
        var t = Parameter(command, "$t");
        var tm = Parameter(command, "$tm");
        var d = Parameter(command, "$d");
        Parameter(command, "$r").Value = SqliteText(receivedAt);
        await command.PrepareAsync(cancellationToken);

        var inserted = new List<InsertedEvent>(events.Count);
        foreach (var incoming in events)
        {
            c.Value = customers[incoming.Subject];
            s.Value = incoming.Source;
            e.Value = incoming.Id;
            t.Value = incoming.Type;
            tm.Value = SqliteText(incoming.Time.UtcDateTime);
            d.Value = incoming.DataJson;
            if (await command.ExecuteScalarAsync(cancellationToken) is long id)
            {
                inserted.Add(new InsertedEvent(id, incoming));
            }
        }

        return inserted;
    }

    private static async Task InsertDistinctAsync(DbTransaction transaction, HashSet<(RollupKey Key, string Value)> distinct, bool postgres, CancellationToken cancellationToken)
    {
        const string insert = """
            INSERT INTO "UsageDistinctValues" ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Value")
            """;
        if (postgres)
        {
            await using var command = Command(transaction, insert + """
                 SELECT * FROM unnest(@c, @m, @b, @g, @v) ON CONFLICT DO NOTHING
                """);
            command.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = distinct.Select(x => x.Key.CustomerId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("m", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = distinct.Select(x => x.Key.MeterId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = distinct.Select(x => x.Key.BucketStart).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("g", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = distinct.Select(x => x.Key.GroupKey).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = distinct.Select(x => x.Value).ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        await using var sqlite = Command(transaction, insert + " VALUES ($c, $m, $b, $g, $v) ON CONFLICT DO NOTHING");
        var c = Parameter(sqlite, "$c");
        var m = Parameter(sqlite, "$m");
        var b = Parameter(sqlite, "$b");
        var g = Parameter(sqlite, "$g");
        var v = Parameter(sqlite, "$v");
        foreach (var (key, value) in distinct)
        {
            c.Value = key.CustomerId;
            m.Value = key.MeterId;
            b.Value = SqliteText(key.BucketStart);
            g.Value = key.GroupKey;
            v.Value = value;
            await sqlite.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task NotifyPostgresAsync(DbTransaction transaction, IReadOnlyList<int> customerIds, CancellationToken cancellationToken)
    {
        // Delivered to every listening node when the transaction commits, never before.
        await using var command = Command(transaction, "SELECT pg_notify(@channel, @payload)");
        command.Parameters.Add(new NpgsqlParameter("channel", UsageNotifier.PostgresChannel));
        command.Parameters.Add(new NpgsqlParameter("payload", string.Join(',', customerIds.Select(id => id.ToString(CultureInfo.InvariantCulture)))));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The text form EF Core's SQLite provider stores DateTime in, so that EF reads and compares these rows.</summary>
    internal static string SqliteText(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
}

/// <summary>Between stored rollup rows and the metering library's mergeable aggregates.</summary>
public static class RollupAggregates
{
    public static Aggregate From(UsageRollup row) => new(
        row.Count,
        row.Sum,
        row.Max,
        row.LatestValue is { } value && row.LatestTime is { } time && row.LatestSequence is { } sequence
            ? new LatestValue(value, new DateTimeOffset(time, TimeSpan.Zero), sequence)
            : null,
        null);
}
