using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Storage;

/// <summary>
/// What the domain needs said differently to each database: provider-specific SQL lives in exactly two places,
/// <see cref="SqliteDialect"/> and <see cref="PostgresDialect"/>, chosen once by <c>Database:Provider</c>; services hold
/// no provider branches. Everything else goes through EF Core and runs on both.
/// </summary>
public interface IDatabaseDialect
{
    /// <summary>
    /// The earliest instant the database stores at or after <paramref name="time"/>: a range bound finer than the
    /// database's clock (PostgreSQL keeps microseconds, .NET ticks of 100 ns) is moved up to it, so that "before the
    /// bound" means the same to the database as to the range.
    /// </summary>
    DateTime StoredTimeCeiling(DateTime time);

    /// <summary>A place in the queue of writers where the database has a single writer; null where it serialises writers itself.</summary>
    Task<IDisposable?> EnterWriterAsync(CancellationToken cancellationToken);

    /// <summary>Inserts a batch's events, skipping those already stored (unique on source and id); answers the ones it stored.</summary>
    Task<List<InsertedEvent>> InsertEventsAsync(DbTransaction transaction, IReadOnlyList<IncomingEvent> events, IReadOnlyDictionary<string, int> customers, DateTime receivedAt, CancellationToken cancellationToken);

    /// <summary>Merges a batch's aggregates into the rollups of <paramref name="tier"/>, exactly.</summary>
    Task MergeRollupsAsync(DbTransaction transaction, Dictionary<RollupKey, Aggregate> touched, DateTime now, RollupTier tier, CancellationToken cancellationToken);

    /// <summary>The writer's transaction committed: what the dialect learnt in it (SQLite: the rollup rows it wrote) is now true.</summary>
    void OnCommitted();

    /// <summary>Stores the distinct values unique counts need in <paramref name="tier"/>, ignoring those already stored.</summary>
    Task InsertDistinctValuesAsync(DbTransaction transaction, HashSet<(RollupKey Key, string Value)> distinct, RollupTier tier, CancellationToken cancellationToken);

    /// <summary>Tells other nodes, at commit, whose usage changed; false when there are no other nodes to tell.</summary>
    Task<bool> AnnounceUsageAsync(DbTransaction transaction, IReadOnlyList<int> customerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Tells other nodes, on <paramref name="channel"/>, that something their caches hold changed (committed already): a
    /// no-op with no other nodes.
    /// </summary>
    Task AnnounceChangeAsync(UsagePortalDbContext db, string channel, string payload, CancellationToken cancellationToken);

    /// <summary>Leases up to <paramref name="batch"/> subscriptions whose next period is due, for this node, until <paramref name="until"/>.</summary>
    Task<List<int>> ClaimDueSubscriptionsAsync(UsagePortalDbContext db, DateTime now, DateTime until, int batch, CancellationToken cancellationToken);

    /// <summary>Whether a failed save broke a unique index (another node or request stored the same thing first).</summary>
    bool IsUniqueViolation(DbUpdateException exception);
}

/// <summary>Raw ADO.NET commands on the current transaction's connection, for the dialects.</summary>
internal static class DbCommands
{
    public static DbCommand Create(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
