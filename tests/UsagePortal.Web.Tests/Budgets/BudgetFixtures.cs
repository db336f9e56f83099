using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Budgets;
using UsagePortal.Domain.Budgets;
using UsagePortal.Web.Tests.Api;
using UsagePortal.Web.Tests.Billing;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Budgets;

/// <summary>Customers on a 1.00-per-call plan, budgets set as an owner sets them, and waiting for what the evaluator does.</summary>
internal static class BudgetFixtures
{
    public static DateTime MonthStart
    {
        get
        {
            var now = DateTime.UtcNow;
            return new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        }
    }

    /// <summary>A customer subscribed from the start of this month to 1.00 per event of a new type; answers (id, externalId, event type).</summary>
    public static async Task<(int Id, string ExternalId, string Type)> PerCallCustomerAsync(this MeteringPortal portal, HttpClient api)
    {
        var externalId = await portal.CreateCustomerAsync("budget");
        var code = Unique.MeterCode("calls");
        var type = Unique.EventType("calls");
        await api.CreateMeterAsync(Meter(code, type, "count"));
        await portal.SubscribeAsync(externalId, $$$"""[{"meter":"{{{code}}}","model":"standard","properties":{"unitAmount":"1.00"}}]""", MonthStart);
        return (await portal.CustomerIdAsync(externalId), externalId, type);
    }

    /// <summary><paramref name="count"/> events of the last few seconds (a month that began seconds ago still holds them).</summary>
    public static async Task SendAsync(this HttpClient api, string type, string customer, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var first = now.AddSeconds(-count) < MonthStart ? new DateTimeOffset(MonthStart) : now.AddSeconds(-count);
        var events = Enumerable.Range(0, count).Select(i => (JsonNode)Event(Unique.Name("e"), type, customer, first.AddMilliseconds(i * 900))).ToList();
        var answer = await api.IngestBatchAsync(events);
        Assert.Equal(count, answer.Accepted);
    }

    public static Task<Domain.Result<BudgetSettings>> SaveBudgetAsync(this MeteringPortal portal, int customerId, BudgetInput input) =>
        portal.WithServicesAsync(services => services.GetRequiredService<BudgetService>().SaveAsync(customerId, input, "owner@test"));

    public static Task<string> NewWebhookSecretAsync(this MeteringPortal portal, int customerId) =>
        portal.WithServicesAsync(async services => (await services.GetRequiredService<BudgetService>().RotateWebhookSecretAsync(customerId, "owner@test")).Value!);

    public static ThresholdInput Percent(string percent, string basis = SpendBases.Actual) => new(null, percent, null, basis);

    public static ThresholdInput Amount(string amount, string basis = SpendBases.Actual) => new(null, null, amount, basis);

    public static Task<List<AlertFiring>> FiringsAsync(this MeteringPortal portal, int customerId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().AlertFirings.AsNoTracking()
            .Where(f => f.CustomerId == customerId).OrderBy(f => f.Id).ToListAsync());

    /// <summary>Waits (polling, no fixed sleep) until <paramref name="condition"/> holds; fails after <paramref name="limit"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? limit = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Gave up waiting for {what ?? "the condition"}; last seen: {value}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The signature as the README tells receivers to compute it, written apart from the app's code.</summary>
    public static string ExpectedSignature(string secret, string timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}
