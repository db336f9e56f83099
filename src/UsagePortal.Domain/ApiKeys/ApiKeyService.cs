using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Storage;

namespace UsagePortal.Domain.ApiKeys;

/// <summary>A key just created: its stored form and the key itself, which exists nowhere else and is shown once.</summary>
public sealed record ApiKeyCreated(ApiKey Stored, string Key);

/// <summary>
/// Operator API keys: made of 32 random bytes, shown once, stored as a SHA-256 hash (the key is high-entropy, so one
/// SHA-256 is enough; no slow hash is needed). Creating and revoking a key is audited; an unknown and a revoked key are
/// refused alike. A valid key is checked from this node's <see cref="ApiKeyCache"/> when it holds it; revoking one
/// forgets them all on every node.
/// </summary>
public sealed class ApiKeyService(UsagePortalDbContext db, TimeProvider clock, ApiKeyCache cache, IDatabaseDialect dialect)
{
    public const string KeyPrefix = "up_live_";

    public const int MaxNameLength = 200;

    /// <summary>How often a key's last-used time is written at most: once a minute is enough to read, and spares a write per request.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>A new key and its stored form.</summary>
    public static (string Key, ApiKey Stored) NewKey(string name, string createdBy, DateTime now)
    {
        var key = KeyPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (key, Stored(key, name, createdBy, now));
    }

    /// <summary>The stored form of a given key (the demo's key comes from configuration): its first 12 characters to recognise it, and its hash.</summary>
    public static ApiKey Stored(string key, string name, string createdBy, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new()
        {
            Name = name,
            Prefix = key.Length > 12 ? key[..12] : key,
            KeyHash = Hash(key),
            CreatedAt = now,
            CreatedBy = createdBy,
        };
    }

    /// <summary>A key as the audit log records it: never the key or its hash, only what recognises it.</summary>
    private static AuditState StateOf(ApiKey key) => StateOf(key, key.RevokedAt);

    private static AuditState StateOf(ApiKey key, DateTime? revokedAt) => new()
    {
        { "name", key.Name },
        { "prefix", key.Prefix },
        { "created at", AuditValues.Instant(key.CreatedAt) },
        { "revoked at", AuditValues.Instant(revokedAt) },
    };

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes, as stored.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Creates a key named <paramref name="name"/>; the answer holds the key, which is not stored and cannot be shown again.</summary>
    public async Task<Result<ApiKeyCreated>> CreateAsync(string? name, string actor, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxNameLength)
        {
            return Result<ApiKeyCreated>.Invalid(new FieldError("name", $"Name is required: 1 to {MaxNameLength} characters."));
        }

        var (key, stored) = NewKey(trimmed, actor, clock.GetUtcNow().UtcDateTime);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.ApiKeys.Add(stored);
            await db.SaveChangesAsync(cancellationToken);
            // Never the key in the log: its name and the prefix that recognises it.
            db.Audit(clock, actor, "apikey.created", $"apikey:{stored.Id}", AuditChange.Created(StateOf(stored)), $"name={stored.Name}, prefix={stored.Prefix}");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return Result<ApiKeyCreated>.Ok(new ApiKeyCreated(stored, key));
    }

    /// <summary>Every key, newest first, revoked ones included (the key itself is never among them).</summary>
    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id).ToListAsync(cancellationToken);

    /// <summary>
    /// Revokes a key: requests that use it are refused from now on. Revoking a revoked key keeps the first revocation
    /// (and its one audit entry) and answers the key as it is.
    /// </summary>
    public async Task<Result<ApiKey>> RevokeAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // A compare-and-set: of two admins revoking at once, one writes the revocation and its audit entry.
            var changed = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now), cancellationToken);
            var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
            if (key is null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Result<ApiKey>.NotFound($"No API key {id}.");
            }

            if (changed > 0)
            {
                // The compare-and-set above changed it from unrevoked: that is the state before.
                db.Audit(clock, actor, "apikey.revoked", $"apikey:{key.Id}", AuditChange.Of(StateOf(key, revokedAt: null), StateOf(key)), $"name={key.Name}, prefix={key.Prefix}");
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            if (changed > 0)
            {
                // After the commit: a node that reads the key again from now on reads it revoked.
                cache.ForgetAll();
                await dialect.AnnounceChangeAsync(db, ApiKeyCache.PostgresChannel, key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
            }

            return Result<ApiKey>.Ok(key);
        });
    }

    /// <summary>
    /// The id of the valid, unrevoked key <paramref name="presentedKey"/>, or null for an unknown or a revoked one (one
    /// answer for both, so a caller learns nothing about keys it does not hold). Records its use at most once per
    /// <see cref="LastUsedResolution"/>.
    /// </summary>
    public async Task<int?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presentedKey);
        var hash = Hash(presentedKey.Trim());
        var now = clock.GetUtcNow().UtcDateTime;
        if (!cache.TryGet(hash, now, out var key))
        {
            var stamp = cache.Stamp(hash);
            var read = await db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => new { k.Id, k.RevokedAt, k.LastUsedAt }).SingleOrDefaultAsync(cancellationToken);
            if (read is null || read.RevokedAt is not null)
            {
                return null;
            }

            key = new ValidApiKey(read.Id, read.LastUsedAt);
            cache.Store(hash, key, stamp, now);
        }

        if (key.LastUsedAt is null || now - key.LastUsedAt > LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), cancellationToken);
            cache.Update(hash, held => held with { LastUsedAt = now });
        }

        return key.Id;
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
