using System.Net;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.SubscriptionsApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>Subscribing, changing plans and cancelling on PostgreSQL (row locks and the phases' unique index there).</summary>
public sealed class SubscriptionsPostgresTests(PostgresSubscriptionsPortal portal) : IClassFixture<PostgresSubscriptionsPortal>
{
    private static readonly DateTimeOffset Now = SubscriptionsPortal.DefaultNow;

    [Fact]
    public async Task APlanChangePreviewIsTheInvoiceWhenConfirmedWithItsProrationDate()
    {
        using var api = await portal.ApiClientAsync();
        await portal.PreviewConfirmAndInvoiceAPlanChangeAsync(api);
    }

    [Fact]
    public async Task ASubscriptionIsCreatedMovedBetweenPlansAndCanceled()
    {
        portal.Clock.Now = Now;
        using var api = await portal.ApiClientAsync();
        var (plan, _) = await api.CreateSimplePlanAsync();
        var (second, _) = await api.CreateSimplePlanAsync(flatFee: "25");
        var (third, _) = await api.CreateSimplePlanAsync(flatFee: "30");
        var customer = await api.CreateApiCustomerAsync(timeZone: "Europe/Berlin");

        var created = await api.SubscribeAsync(new { customer, plan, startDate = "2026-01-10", billingAnchor = "anniversary" });
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal((Utc(2026, 1, 9, 23), Utc(2026, 2, 9, 23)), created.Period("nextPeriod"));
        using var again = await api.PostJsonAsync("/api/v1/subscriptions", new { customer, plan });
        Assert.Equal("customer", Assert.Single((await AssertProblemAsync(again, HttpStatusCode.BadRequest)).Errors).Field);

        var changedNow = await api.ChangePlanAsync(id, second, "now");
        Assert.Equal([(plan, 1, Utc(2026, 1, 9, 23), (DateTimeOffset?)Now), (second, 1, Now, null)], changedNow.Phases());

        await api.ChangePlanAsync(id, third, "period_end");
        var replaced = await api.ChangePlanAsync(id, plan, "period_end");
        var periodEnd = Utc(2026, 4, 9, 22);
        Assert.Equal([(plan, 1, Utc(2026, 1, 9, 23), (DateTimeOffset?)Now), (second, 1, Now, periodEnd), (plan, 1, periodEnd, null)], replaced.Phases());

        var canceled = await api.CancelAsync(id, "period_end");
        Assert.Equal(periodEnd, canceled.Instant("endsAt"));
        Assert.Equal([(plan, 1, Utc(2026, 1, 9, 23), (DateTimeOffset?)Now), (second, 1, Now, periodEnd)], canceled.Phases());
    }

    [Fact]
    public async Task OfManySubscriptionsForOneCustomerAtOnceExactlyOneIsStored()
    {
        portal.Clock.Now = Now;
        using var api = await portal.ApiClientAsync();
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var client = await portal.ApiClientAsync();
            using var response = await client.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2026-03-01" });
            return response.StatusCode;
        }));

        Assert.Single(statuses, s => s == HttpStatusCode.Created);
        Assert.Equal(1, await portal.SubscriptionCountAsync(customer));
    }

    [Fact]
    public async Task PublicationsOfOneCodeAtOnceGetDistinctVersionNumbers()
    {
        portal.Clock.Now = Now;
        using var api = await portal.ApiClientAsync();
        var meter = await api.CreateCountMeterAsync();
        var code = PlanCode("race");

        var versions = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            using var client = await portal.ApiClientAsync();
            return (await client.PublishPlanAsync(Plan(code, "USD", $"{i}", Standard(meter, "1")))).GetProperty("version").GetInt32();
        }));

        Assert.Equal(Enumerable.Range(1, 6), versions.Order());
    }
}
