using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Live;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Ingestion;

/// <summary>What an ingestion call did: events newly counted, and events already seen (acknowledged, not counted again).</summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<int> CustomerIds);

/// <summary>
/// Stores a validated batch of events and folds the new ones into the hourly rollups, in one transaction:
/// when it returns, the batch is durable and counted exactly once. Deduplication is the unique index on
/// (source, id): the insert skips a known event (ON CONFLICT DO NOTHING) and only the rows it really inserted
/// reach the rollups. On PostgreSQL the rollups are merged by an upsert with exact numeric arithmetic (row locks
/// serialise concurrent batches); on SQLite, whose single writer serialises batches, rows are merged in C#.
/// </summary>
public sealed class IngestionService(UsagePortalDbContext db, TimeProvider clock, UsageNotifier notifier, MeterCache meterCache, SqliteWriteGate sqliteGate, DistinctValueCache distinctCache, CustomerDirectory directory)
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
        var postgres = db.Database.IsNpgsql();

        // Meters are evaluated before the write transaction (on SQLite, before taking the single writer's place).
        var readings = Evaluate(unique, customers, meters);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            using var writer = postgres ? null : await sqliteGate.EnterAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var dbTransaction = transaction.GetDbTransaction();

            var inserted = postgres
                ? await InsertPostgresAsync(dbTransaction, unique, customers, receivedAt, cancellationToken)
                : await InsertSqliteAsync(dbTransaction, unique, customers, receivedAt, cancellationToken);

            var touched = Fold(inserted, readings, out var distinct);
            distinct.RemoveWhere(d => distinctCache.IsKnown(d.Key.CustomerId, d.Key.MeterId, d.Key.BucketStart, d.Key.GroupKey, d.Value));
            if (touched.Count > 0)
            {
                await (postgres
                    ? UpsertRollupsPostgresAsync(dbTransaction, touched, receivedAt, cancellationToken)
                    : MergeRollupsSqliteAsync(dbTransaction, touched, receivedAt, cancellationToken));
            }
            if (distinct.Count > 0)
            {
                await InsertDistinctAsync(dbTransaction, distinct, postgres, cancellationToken);
            }

            var changedCustomers = inserted.Select(i => customers[unique[i.Index].Subject]).Distinct().Order().ToList();
            if (postgres && changedCustomers.Count > 0)
            {
                await NotifyPostgresAsync(dbTransaction, changedCustomers, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            distinctCache.Remember(distinct.Select(d => (d.Key.CustomerId, d.Key.MeterId, d.Key.BucketStart, d.Key.GroupKey, d.Value)));
            if (!postgres && changedCustomers.Count > 0)
            {
                // One node only on SQLite: tell this node's open dashboards directly.
                notifier.Publish(changedCustomers);
            }

            return new IngestResult(inserted.Count, events.Count - inserted.Count, changedCustomers);
        });
    }

    private readonly record struct RollupKey(int CustomerId, int MeterId, DateTime BucketStart, string GroupKey);

    /// <summary>An event the insert really stored: its database sequence and its position in the batch.</summary>
    private readonly record struct InsertedEvent(long Sequence, int Index);

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

    /// <summary>
    /// PostgreSQL: one upsert for the batch, merging in SQL with exact numeric arithmetic. Row locks are taken in key
    /// order, so concurrent batches touching the same rollups wait for each other but never deadlock.
    /// </summary>
    private static async Task UpsertRollupsPostgresAsync(DbTransaction transaction, Dictionary<RollupKey, Aggregate> touched, DateTime now, CancellationToken cancellationToken)
    {
        var rows = touched.OrderBy(t => t.Key.CustomerId).ThenBy(t => t.Key.MeterId).ThenBy(t => t.Key.BucketStart).ThenBy(t => t.Key.GroupKey, StringComparer.Ordinal).ToList();
        await using var command = Command(transaction, """
            INSERT INTO "UsageRollups" AS r ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Count", "Sum", "Max", "LatestValue", "LatestTime", "LatestSequence", "UpdatedAt")
            SELECT c, m, b, g, n, s, x, lv, lt, ls, @now FROM unnest(@c, @m, @b, @g, @n, @s, @x, @lv, @lt, @ls) WITH ORDINALITY AS u(c, m, b, g, n, s, x, lv, lt, ls, o) ORDER BY o
            ON CONFLICT ("CustomerId", "MeterId", "BucketStart", "GroupKey") DO UPDATE SET
                "Count" = r."Count" + excluded."Count",
                "Sum" = r."Sum" + excluded."Sum",
                "Max" = GREATEST(r."Max", excluded."Max"),
                "LatestValue" = CASE WHEN excluded."LatestTime" IS NOT NULL AND (r."LatestTime" IS NULL OR (excluded."LatestTime", excluded."LatestSequence") > (r."LatestTime", r."LatestSequence")) THEN excluded."LatestValue" ELSE r."LatestValue" END,
                "LatestSequence" = CASE WHEN excluded."LatestTime" IS NOT NULL AND (r."LatestTime" IS NULL OR (excluded."LatestTime", excluded."LatestSequence") > (r."LatestTime", r."LatestSequence")) THEN excluded."LatestSequence" ELSE r."LatestSequence" END,
                "LatestTime" = CASE WHEN excluded."LatestTime" IS NOT NULL AND (r."LatestTime" IS NULL OR (excluded."LatestTime", excluded."LatestSequence") > (r."LatestTime", r."LatestSequence")) THEN excluded."LatestTime" ELSE r."LatestTime" END,
                "UpdatedAt" = excluded."UpdatedAt"
            """);
        command.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => r.Key.CustomerId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("m", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = rows.Select(r => r.Key.MeterId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => r.Key.BucketStart).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("g", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => r.Key.GroupKey).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => r.Value.Count).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = rows.Select(r => r.Value.Sum).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("x", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = rows.Select(r => (object?)r.Value.Max ?? DBNull.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("lv", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = rows.Select(r => (object?)r.Value.Latest?.Value ?? DBNull.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("lt", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = rows.Select(r => (object?)r.Value.Latest?.Time.UtcDateTime ?? DBNull.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("ls", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = rows.Select(r => (object?)r.Value.Latest?.Sequence ?? DBNull.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite: it cannot add decimals exactly in SQL (they are text), but it has a single writer, so reading each
    /// touched row, merging in C# and writing it back inside this transaction is safe. Prepared statements keep it cheap.
    /// </summary>
    private static async Task MergeRollupsSqliteAsync(DbTransaction transaction, Dictionary<RollupKey, Aggregate> touched, DateTime now, CancellationToken cancellationToken)
    {
        const string key = """ "CustomerId" = $c AND "MeterId" = $m AND "BucketStart" = $b AND "GroupKey" = $g""";
        await using var read = Command(transaction, """SELECT "Count", "Sum", "Max", "LatestValue", "LatestTime", "LatestSequence" FROM "UsageRollups" WHERE""" + key);
        await using var write = Command(transaction, """
            INSERT INTO "UsageRollups" ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Count", "Sum", "Max", "LatestValue", "LatestTime", "LatestSequence", "UpdatedAt")
            VALUES ($c, $m, $b, $g, $n, $s, $x, $lv, $lt, $ls, $now)
            ON CONFLICT ("CustomerId", "MeterId", "BucketStart", "GroupKey") DO UPDATE SET
                "Count" = excluded."Count", "Sum" = excluded."Sum", "Max" = excluded."Max", "LatestValue" = excluded."LatestValue",
                "LatestTime" = excluded."LatestTime", "LatestSequence" = excluded."LatestSequence", "UpdatedAt" = excluded."UpdatedAt"
            """);
        var keyParameters = new[] { "$c", "$m", "$b", "$g" }.Select(name => (Read: Parameter(read, name), Write: Parameter(write, name))).ToArray();
        var (n, sum, max, latestValue, latestTime, latestSequence) = (Parameter(write, "$n"), Parameter(write, "$s"), Parameter(write, "$x"), Parameter(write, "$lv"), Parameter(write, "$lt"), Parameter(write, "$ls"));
        Parameter(write, "$now").Value = SqliteText(now);
        await read.PrepareAsync(cancellationToken);
        await write.PrepareAsync(cancellationToken);

        foreach (var (rollup, fresh) in touched)
        {
            object[] values = [rollup.CustomerId, rollup.MeterId, SqliteText(rollup.BucketStart), rollup.GroupKey];
            for (var i = 0; i < values.Length; i++)
            {
                keyParameters[i].Read.Value = values[i];
                keyParameters[i].Write.Value = values[i];
            }

            var merged = fresh;
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    merged = new Aggregate(
                        reader.GetInt64(0),
                        ParseDecimal(reader.GetString(1)),
                        reader.IsDBNull(2) ? null : ParseDecimal(reader.GetString(2)),
                        reader.IsDBNull(3) ? null : new LatestValue(ParseDecimal(reader.GetString(3)), new DateTimeOffset(DateTime.SpecifyKind(DateTime.Parse(reader.GetString(4), CultureInfo.InvariantCulture), DateTimeKind.Utc)), reader.GetInt64(5)),
                        null).Merge(fresh);
                }
            }

            n.Value = merged.Count;
            sum.Value = SqliteText(merged.Sum);
            max.Value = merged.Max is { } m ? SqliteText(m) : DBNull.Value;
            latestValue.Value = merged.Latest is { } l ? SqliteText(l.Value) : DBNull.Value;
            latestTime.Value = merged.Latest is { } lt ? SqliteText(lt.Time.UtcDateTime) : DBNull.Value;
            latestSequence.Value = merged.Latest is { } ls ? ls.Sequence : DBNull.Value;
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static decimal ParseDecimal(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static DateTime FloorToHour(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

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

        var byKey = new Dictionary<(string, string), int>(events.Count);
        for (var index = 0; index < events.Count; index++)
        {
            byKey[(events[index].Source, events[index].Id)] = index;
        }

        var inserted = new List<InsertedEvent>(events.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(new InsertedEvent(reader.GetInt64(0), byKey[(reader.GetString(1), reader.GetString(2))]));
        }

        return inserted;
    }

    /// <summary>SQLite: multi-row inserts of up to 100 events, each answering the rows it really stored.</summary>
    private static async Task<List<InsertedEvent>> InsertSqliteAsync(DbTransaction transaction, IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, DateTime receivedAt, CancellationToken cancellationToken)
    {
        const int chunk = 100;
        var received = SqliteText(receivedAt);
        var inserted = new List<InsertedEvent>(events.Count);
        var byKey = new Dictionary<(string, string), int>(chunk);
        DbCommand? command = null;
        try
        {
            for (var start = 0; start < events.Count; start += chunk)
            {
                var count = Math.Min(chunk, events.Count - start);
                if (command is null || command.Parameters.Count != count * 6 + 1)
                {
                    if (command is not null)
                    {
                        await command.DisposeAsync();
                    }

                    var values = string.Join(", ", Enumerable.Range(0, count).Select(i => $"($c{i}, $s{i}, $e{i}, $t{i}, $tm{i}, $r, $d{i})"));
                    command = Command(transaction, $"""
                        INSERT INTO "UsageEvents" ("CustomerId", "Source", "EventId", "Type", "Time", "ReceivedAt", "Data")
                        VALUES {values}
                        ON CONFLICT ("Source", "EventId") DO NOTHING
                        RETURNING "Id", "Source", "EventId"
                        """);
                    foreach (var name in Enumerable.Range(0, count).SelectMany(i => new[] { $"$c{i}", $"$s{i}", $"$e{i}", $"$t{i}", $"$tm{i}", $"$d{i}" }).Append("$r"))
                    {
                        Parameter(command, name);
                    }
                }

                byKey.Clear();
                for (var i = 0; i < count; i++)
                {
                    var incoming = events[start + i];
                    byKey[(incoming.Source, incoming.Id)] = start + i;
                    command.Parameters[i * 6].Value = customers[incoming.Subject];
                    command.Parameters[i * 6 + 1].Value = incoming.Source;
                    command.Parameters[i * 6 + 2].Value = incoming.Id;
                    command.Parameters[i * 6 + 3].Value = incoming.Type;
                    command.Parameters[i * 6 + 4].Value = SqliteText(incoming.Time.UtcDateTime);
                    command.Parameters[i * 6 + 5].Value = incoming.DataJson;
                }

                command.Parameters[count * 6].Value = received;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted.Add(new InsertedEvent(reader.GetInt64(0), byKey[(reader.GetString(1), reader.GetString(2))]));
                }
            }
        }
        finally
        {
            if (command is not null)
            {
                await command.DisposeAsync();
            }
        }

        // Sequence order, as the database assigned it (the reader order within a statement is not promised).
        inserted.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
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

    /// <summary>The text form EF Core's SQLite provider stores decimals in.</summary>
    internal static string SqliteText(decimal value) => value.ToString("0.0###########################", CultureInfo.InvariantCulture);
}
