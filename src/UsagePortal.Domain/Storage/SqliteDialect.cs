using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Domain.Meters;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Storage;

/// <summary>
/// Every statement that only SQLite runs: multi-row inserts, rollups merged in C# (SQLite keeps decimals as text and
/// cannot add them exactly), values in the text forms EF Core stores, the invoicer's claim as one atomic update. SQLite has
/// one writer, so batches queue in <see cref="SqliteWriteGate"/> instead of contending for its lock.
/// </summary>
internal sealed class SqliteDialect(SqliteWriteGate gate) : IDatabaseDialect
{
    private const int CachedRollups = 100_000;

    // Rollup rows as last committed, kept by the single writer (every access holds the gate): a batch merges into them
    // without reading them back. Only this process writes the file and only ingestion writes rollups, so they stay true;
    // what a batch writes becomes true at its commit (OnCommitted) and is forgotten if its commit is not seen to succeed.
    private readonly Dictionary<(RollupTier Tier, RollupKey Key), Aggregate> committed = [];
    private readonly List<((RollupTier Tier, RollupKey Key) Row, Aggregate Value)> pending = [];

    /// <summary>SQLite stores the ticks as text: every .NET instant is stored as it is.</summary>
    public DateTime StoredTimeCeiling(DateTime time) => time;

    public async Task<IDisposable?> EnterWriterAsync(CancellationToken cancellationToken)
    {
        var writer = await gate.EnterAsync(cancellationToken);
        // A batch before this one did not reach OnCommitted (it failed, perhaps in its commit): whether its rows were
        // stored is not known here, so they are read from the database again.
        foreach (var (row, _) in pending)
        {
            committed.Remove(row);
        }

        pending.Clear();
        return writer;
    }

    public void OnCommitted()
    {
        if (committed.Count + pending.Count > CachedRollups)
        {
            committed.Clear();
        }

        foreach (var (row, value) in pending)
        {
            // As the row holds it: distinct values live in their own table, not in the rollup.
            committed[row] = new Aggregate(value.Count, value.Sum, value.Max, value.Latest, null);
        }

        pending.Clear();
    }

    /// <summary>SQLite: multi-row inserts of up to 100 events, each answering the rows it really stored.</summary>
    public async Task<List<InsertedEvent>> InsertEventsAsync(DbTransaction transaction, IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, DateTime receivedAt, CancellationToken cancellationToken)
    {
        const int chunk = 100;
        var received = Text(receivedAt);
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
                    command = DbCommands.Create(transaction, $"""
                        INSERT INTO "UsageEvents" ("CustomerId", "Source", "EventId", "Type", "Time", "ReceivedAt", "Data")
                        VALUES {values}
                        ON CONFLICT ("Source", "EventId") DO NOTHING
                        RETURNING "Id", "Source", "EventId"
                        """);
                    foreach (var name in Enumerable.Range(0, count).SelectMany(i => new[] { $"$c{i}", $"$s{i}", $"$e{i}", $"$t{i}", $"$tm{i}", $"$d{i}" }).Append("$r"))
                    {
                        DbCommands.Parameter(command, name);
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
                    command.Parameters[i * 6 + 4].Value = Text(incoming.Time.UtcDateTime);
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

    /// <summary>
    /// SQLite: it cannot add decimals exactly in SQL (they are text), but it has a single writer, so reading each
    /// touched row (unless this writer already holds it as committed), merging in C# and writing it back inside this
    /// transaction is safe. Prepared statements keep it cheap.
    /// </summary>
    public async Task MergeRollupsAsync(DbTransaction transaction, Dictionary<RollupKey, Aggregate> touched, DateTime now, RollupTier tier, CancellationToken cancellationToken)
    {
        const string key = """ "CustomerId" = $c AND "MeterId" = $m AND "BucketStart" = $b AND "GroupKey" = $g""";
        var table = RollupTiers.RollupTable(tier);
        await using var read = DbCommands.Create(transaction, $"""SELECT "Count", "Sum", "Max", "LatestValue", "LatestTime", "LatestSequence" FROM "{table}" WHERE""" + key);
        await using var write = DbCommands.Create(transaction, $"""
            INSERT INTO "{table}" ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Count", "Sum", "Max", "LatestValue", "LatestTime", "LatestSequence", "UpdatedAt")
            VALUES ($c, $m, $b, $g, $n, $s, $x, $lv, $lt, $ls, $now)
            ON CONFLICT ("CustomerId", "MeterId", "BucketStart", "GroupKey") DO UPDATE SET
                "Count" = excluded."Count", "Sum" = excluded."Sum", "Max" = excluded."Max", "LatestValue" = excluded."LatestValue",
                "LatestTime" = excluded."LatestTime", "LatestSequence" = excluded."LatestSequence", "UpdatedAt" = excluded."UpdatedAt"
            """);
        var keyParameters = new[] { "$c", "$m", "$b", "$g" }.Select(name => (Read: DbCommands.Parameter(read, name), Write: DbCommands.Parameter(write, name))).ToArray();
        var (n, sum, max, latestValue, latestTime, latestSequence) = (DbCommands.Parameter(write, "$n"), DbCommands.Parameter(write, "$s"), DbCommands.Parameter(write, "$x"), DbCommands.Parameter(write, "$lv"), DbCommands.Parameter(write, "$lt"), DbCommands.Parameter(write, "$ls"));
        DbCommands.Parameter(write, "$now").Value = Text(now);
        await read.PrepareAsync(cancellationToken);
        await write.PrepareAsync(cancellationToken);

        foreach (var (rollup, fresh) in touched)
        {
            object[] values = [rollup.CustomerId, rollup.MeterId, Text(rollup.BucketStart), rollup.GroupKey];
            for (var i = 0; i < values.Length; i++)
            {
                keyParameters[i].Read.Value = values[i];
                keyParameters[i].Write.Value = values[i];
            }

            var merged = fresh;
            if (committed.TryGetValue((tier, rollup), out var known))
            {
                merged = known.Merge(fresh);
            }
            else
            {
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
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

            pending.Add(((tier, rollup), merged));
            n.Value = merged.Count;
            sum.Value = Text(merged.Sum);
            max.Value = merged.Max is { } m ? Text(m) : DBNull.Value;
            latestValue.Value = merged.Latest is { } l ? Text(l.Value) : DBNull.Value;
            latestTime.Value = merged.Latest is { } lt ? Text(lt.Time.UtcDateTime) : DBNull.Value;
            latestSequence.Value = merged.Latest is { } ls ? ls.Sequence : DBNull.Value;
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task InsertDistinctValuesAsync(DbTransaction transaction, HashSet<(RollupKey Key, string Value)> distinct, RollupTier tier, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(transaction, $"""
            INSERT INTO "{RollupTiers.DistinctTable(tier)}" ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Value")
            VALUES ($c, $m, $b, $g, $v) ON CONFLICT DO NOTHING
            """);
        var c = DbCommands.Parameter(command, "$c");
        var m = DbCommands.Parameter(command, "$m");
        var b = DbCommands.Parameter(command, "$b");
        var g = DbCommands.Parameter(command, "$g");
        var v = DbCommands.Parameter(command, "$v");
        foreach (var (key, value) in distinct)
        {
            c.Value = key.CustomerId;
            m.Value = key.MeterId;
            b.Value = Text(key.BucketStart);
            g.Value = key.GroupKey;
            v.Value = value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>One node only on SQLite: nothing to announce to others; the caller tells this node's dashboards after the commit.</summary>
    public Task<bool> AnnounceUsageAsync(DbTransaction transaction, IReadOnlyList<int> customerIds, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task AnnounceChangeAsync(UsagePortalDbContext db, string channel, string payload, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<List<int>> ClaimDueSubscriptionsAsync(UsagePortalDbContext db, DateTime now, DateTime until, int batch, CancellationToken cancellationToken) =>
        // SQLite has one writer at a time: this one statement is an atomic claim without row locks.
        await db.Database.SqlQuery<int>($"""
            UPDATE "Subscriptions" SET "LeasedUntil" = {until}
            WHERE "Id" IN (
                SELECT "Id" FROM "Subscriptions"
                WHERE "NextPeriodEnd" <= {now} AND ("LeasedUntil" IS NULL OR "LeasedUntil" < {now})
                AND ("BillingRetryAt" IS NULL OR "BillingRetryAt" <= {now})
                ORDER BY "NextPeriodEnd", "Id"
                LIMIT {batch})
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);

    public bool IsUniqueViolation(DbUpdateException exception) =>
        exception?.InnerException is SqliteException { SqliteErrorCode: 19 };

    private static decimal ParseDecimal(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The text form EF Core's SQLite provider stores DateTime in, so that EF reads and compares these rows.</summary>
    public static string Text(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    /// <summary>The text form EF Core's SQLite provider stores decimals in.</summary>
    public static string Text(decimal value) => value.ToString("0.0###########################", CultureInfo.InvariantCulture);
}
