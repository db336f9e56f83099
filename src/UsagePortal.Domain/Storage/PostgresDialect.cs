using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using UsagePortal.Data;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Domain.Live;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Storage;

/// <summary>
/// Every statement that only PostgreSQL runs: set-based ingestion from arrays (<c>unnest</c>), rollups merged in SQL with
/// exact numeric arithmetic, NOTIFY for other nodes, the invoicer's claim with <c>SKIP LOCKED</c>.
/// </summary>
internal sealed class PostgresDialect : IDatabaseDialect
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>PostgreSQL's timestamps hold microseconds: a finer bound would be rounded (down or up) by the server.</summary>
    public DateTime StoredTimeCeiling(DateTime time)
    {
        var rest = time.Ticks % TicksPerMicrosecond;
        return rest == 0 ? time : time.AddTicks(TicksPerMicrosecond - rest);
    }

    /// <summary>Nothing is kept between batches: other nodes write the same rows.</summary>
    public void OnCommitted()
    {
    }

    /// <summary>PostgreSQL serialises concurrent writers itself (row locks), so batches need no queue.</summary>
    public Task<IDisposable?> EnterWriterAsync(CancellationToken cancellationToken) => Task.FromResult<IDisposable?>(null);

    /// <summary>One insert for the batch from arrays; the unique index on (source, id) skips known events, RETURNING names the stored ones.</summary>
    public async Task<List<InsertedEvent>> InsertEventsAsync(DbTransaction transaction, IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, DateTime receivedAt, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(transaction, """
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

    /// <summary>
    /// PostgreSQL: one upsert for the batch, merging in SQL with exact numeric arithmetic. Row locks are taken in key
    /// order, so concurrent batches touching the same rollups wait for each other but never deadlock.
    /// </summary>
    public async Task MergeRollupsAsync(DbTransaction transaction, Dictionary<RollupKey, Aggregate> touched, DateTime now, RollupTier tier, CancellationToken cancellationToken)
    {
        var rows = touched.OrderBy(t => t.Key.CustomerId).ThenBy(t => t.Key.MeterId).ThenBy(t => t.Key.BucketStart).ThenBy(t => t.Key.GroupKey, StringComparer.Ordinal).ToList();
        await using var command = DbCommands.Create(transaction, $$"""
            INSERT INTO "{{RollupTiers.RollupTable(tier)}}" AS r ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Count", "Sum", "Max", "LatestValue", "LatestTime", "LatestSequence", "UpdatedAt")
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

    public async Task InsertDistinctValuesAsync(DbTransaction transaction, HashSet<(RollupKey Key, string Value)> distinct, RollupTier tier, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(transaction, $"""
            INSERT INTO "{RollupTiers.DistinctTable(tier)}" ("CustomerId", "MeterId", "BucketStart", "GroupKey", "Value")
            SELECT * FROM unnest(@c, @m, @b, @g, @v) ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = distinct.Select(x => x.Key.CustomerId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("m", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = distinct.Select(x => x.Key.MeterId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = distinct.Select(x => x.Key.BucketStart).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("g", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = distinct.Select(x => x.Key.GroupKey).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = distinct.Select(x => x.Value).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>NOTIFY in the ingesting transaction: delivered to every listening node when it commits, never before.</summary>
    public async Task<bool> AnnounceUsageAsync(DbTransaction transaction, IReadOnlyList<int> customerIds, CancellationToken cancellationToken)
    {
        await using var command = DbCommands.Create(transaction, "SELECT pg_notify(@channel, @payload)");
        command.Parameters.Add(new NpgsqlParameter("channel", UsageNotifier.PostgresChannel));
        command.Parameters.Add(new NpgsqlParameter("payload", string.Join(',', customerIds.Select(id => id.ToString(CultureInfo.InvariantCulture)))));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>NOTIFY on its own (the change is committed): every node's cache listening on the channel forgets what the payload names.</summary>
    public async Task AnnounceChangeAsync(UsagePortalDbContext db, string channel, string payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [channel, payload], cancellationToken);
    }

    public async Task<List<int>> ClaimDueSubscriptionsAsync(UsagePortalDbContext db, DateTime now, DateTime until, int batch, CancellationToken cancellationToken) =>
        // One statement: rows another node is claiming right now are skipped, not waited for. NO KEY UPDATE, not UPDATE:
        // the lease changes no key, and a plain FOR UPDATE would also skip every subscription whose invoices another
        // node is writing (their foreign keys hold KEY SHARE locks on it), so a sweep could stop with work left.
        await db.Database.SqlQuery<int>($"""
            UPDATE "Subscriptions" SET "LeasedUntil" = {until}
            WHERE "Id" IN (
                SELECT "Id" FROM "Subscriptions"
                WHERE "NextPeriodEnd" <= {now} AND ("LeasedUntil" IS NULL OR "LeasedUntil" < {now})
                AND ("BillingRetryAt" IS NULL OR "BillingRetryAt" <= {now})
                ORDER BY "NextPeriodEnd", "Id"
                LIMIT {batch}
                FOR NO KEY UPDATE SKIP LOCKED)
            RETURNING "Id" AS "Value"
            """).ToListAsync(cancellationToken);

    public bool IsUniqueViolation(DbUpdateException exception) =>
        exception?.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
