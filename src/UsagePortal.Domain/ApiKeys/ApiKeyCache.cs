using UsagePortal.Domain.Live;

namespace UsagePortal.Domain.ApiKeys;

/// <summary>A valid key as this node remembers it: its id, and when its use was last written.</summary>
public sealed record ValidApiKey(int Id, DateTime? LastUsedAt);

/// <summary>
/// Each node's copy of the valid keys it has seen, by hash, so that an API request spends no round trip on its key (see
/// <see cref="NodeCache{TKey, TValue}"/> for when one is forgotten). Revoking a key forgets every key on every node (the
/// NOTIFY's payload is the revoked key's id, for the log): revocations are rare, and the next request of each other key
/// reads it once again. Unknown and revoked keys are never kept: they are read each time, as before.
/// </summary>
public sealed class ApiKeyCache : NodeCache<string, ValidApiKey>
{
    public const string PostgresChannel = "usageportal_apikeys";
}
