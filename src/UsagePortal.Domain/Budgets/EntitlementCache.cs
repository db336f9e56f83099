using UsagePortal.Domain.Live;

namespace UsagePortal.Domain.Budgets;

/// <summary>What the entitlement answer needs of one customer: its currency, its cap and the cap's state.</summary>
public sealed record EntitlementState(string Currency, long? Cap, DateTime? BlockedUntil, DateTime? BlockedSince);

/// <summary>
/// Each node's copy of its customers' entitlement states, by customer id, so that the operator's hot path makes no round
/// trip (see <see cref="NodeCache{TKey, TValue}"/> for when a state is forgotten). The NOTIFY's payload is the customer id.
/// </summary>
public sealed class EntitlementCache : NodeCache<int, EntitlementState>
{
    public const string PostgresChannel = "usageportal_entitlement";
}
