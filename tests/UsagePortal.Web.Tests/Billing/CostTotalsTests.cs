using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Subscriptions;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>The usage API's cheaper reading of the cost (no chart series) answers exactly what the dashboard shows.</summary>
public sealed class CostTotalsTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Totals_without_the_chart_equal_the_dashboards_amounts_and_projection_on_the_demo()
    {
        var (withChart, totals) = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var costs = services.GetRequiredService<CostQuery>();
            var acme = await db.Customers.SingleAsync(c => c.ExternalId == DemoSettings.CustomerExternalId);
            var now = DateTime.UtcNow;
            var subscription = (await costs.SubscriptionAtAsync(acme.Id, now))!;
            var period = SubscriptionSchedule.CurrentPeriod(subscription, now)!;
            var meters = await LoadedMeters.LoadAsync(db);
            return (await costs.CurrentAsync(subscription, period, now, meters), await costs.CurrentTotalsAsync(subscription, period, now, meters));
        });

        // The demo plan prices a unique count (active users), whose chart needs the first-seen day of each value.
        Assert.Contains(withChart.Lines, l => l.Meter == "active_users");
        Assert.Equal(withChart.SoFar, totals.SoFar);
        Assert.Equal(withChart.Projection, totals.Projection);
        Assert.Equal(
            withChart.Lines.Select(l => (l.Meter, l.GroupKey, l.Quantity, l.Amount, l.ProjectedQuantity, l.ProjectedAmount)),
            totals.Lines.Select(l => (l.Meter, l.GroupKey, l.Quantity, l.Amount, l.ProjectedQuantity, l.ProjectedAmount)));
    }
}
