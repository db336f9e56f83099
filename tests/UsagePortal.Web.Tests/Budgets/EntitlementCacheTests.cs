using UsagePortal.Domain.Budgets;

namespace UsagePortal.Web.Tests.Budgets;

/// <summary>The entitlement cache keeps a state only if nothing changed while it was read, and forgets on notice or after a minute.</summary>
public sealed class EntitlementCacheTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);
    private static readonly EntitlementState Allowed = new("USD", 500, null, null);

    [Fact]
    public void AReadThatBeganBeforeAChangeIsNotKept()
    {
        var cache = new EntitlementCache();
        var stamp = cache.Stamp(7);
        cache.Forget(7); // the evaluator blocked the customer while the read ran
        cache.Store(7, Allowed, stamp, Now);

        Assert.False(cache.TryGet(7, Now, out _));
    }

    [Fact]
    public void AStateIsKeptUntilForgottenRenewedOrAMinuteOld()
    {
        var cache = new EntitlementCache();
        cache.Store(7, Allowed, cache.Stamp(7), Now);
        cache.Store(8, Allowed, cache.Stamp(8), Now);

        Assert.True(cache.TryGet(7, Now.AddSeconds(59), out var kept));
        Assert.Same(Allowed, kept);
        Assert.False(cache.TryGet(7, Now + EntitlementCache.Lifetime, out _));
        cache.Forget(7);
        Assert.False(cache.TryGet(7, Now, out _));
        Assert.True(cache.TryGet(8, Now, out _));
        var before = cache.Stamp(8);
        cache.ForgetAll();
        Assert.False(cache.TryGet(8, Now, out _));
        cache.Store(8, Allowed, before, Now); // read before the renewal: not kept
        Assert.False(cache.TryGet(8, Now, out _));
    }
}
