using UsagePortal.Domain.Cost;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Billing.CostFixtures;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>The cost so far and the projection on PostgreSQL: the same figures as on SQLite (see <see cref="CostQueryTests"/>).</summary>
public sealed class CostPostgresTests(PostgresMeteringPortal portal) : IClassFixture<PostgresMeteringPortal>
{
    [Fact]
    public async Task TheTieredPlansCostSoFarAndProjectionAreTheSame()
    {
        using var api = await portal.ApiClientAsync();
        var customer = await CostQueryTests.TieredCustomerAsync(portal, api);

        var cost = await portal.CurrentCostAsync(customer.Id, Utc(2026, 3, 11, 12));

        Assert.NotNull(cost);
        Assert.Equal(5025, cost.SoFar);
        Assert.Equal(new CostBand(6050, 5943, 6157), cost.Projection);
        Assert.Equal([1000L, 1080, 3200, 3280, 3400, 4480, 4600, 4680, 4800, 4880, 5000, 5025], cost.Actual.Select(p => p.Amount));
    }

    [Fact]
    public async Task TheWeekdayProjectionInTheBillingZoneIsTheSame()
    {
        using var api = await portal.ApiClientAsync();
        var id = await CostQueryTests.WeekdayCustomerAsync(portal, api);

        var cost = await portal.CurrentCostAsync(id, Utc(2026, 6, 10, 16));

        Assert.NotNull(cost);
        Assert.Equal((700L, 2214L), (cost.SoFar, cost.Projection.Total));
    }
}
