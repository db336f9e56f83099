using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;

namespace UsagePortal.Browser.Tests;

/// <summary>A new organisation of its own for a browser test: 1.00 per API request since the start of this month (UTC), with an owner who signs in.</summary>
/// <param name="ExternalId">The organisation's externalId, the subject of its events.</param>
/// <param name="Email">Its owner's e-mail.</param>
/// <param name="SubscriptionId">Its subscription.</param>
/// <param name="PeriodEnd">The end of the current period (the first of next month, UTC).</param>
internal sealed record PerCallCustomer(string ExternalId, string Email, int SubscriptionId, DateTime PeriodEnd)
{
    public const string Password = "PerCall!Owner1";

    /// <summary>Stores the organisation, its plan and subscription and its owner in <paramref name="portal"/>'s database.</summary>
    public static async Task<PerCallCustomer> CreateAsync(PortalFactory portal, string prefix, long flatFee = 0, decimal taxRate = 0m)
    {
        var externalId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
        var email = $"owner-{Guid.NewGuid():N}"[..14] + $"@{prefix}.example";
        var now = DateTime.UtcNow;
        var monthStart = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var (customerId, subscriptionId) = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Customer { ExternalId = externalId, Name = $"{prefix} Ltd", Email = email, Locale = "en-US", TaxRate = taxRate, CreatedAt = now };
            db.Customers.Add(customer);
            var version = new PlanVersion
            {
                Plan = new Plan { Code = externalId, CreatedAt = now },
                Version = 1,
                Name = "Per call",
                Currency = "USD",
                FlatFeeMinorUnits = flatFee,
                ChargesJson = PlanTerms.WriteCharges(PlanTerms.ParseCharges("""[{"meter":"api_calls","model":"standard","properties":{"unitAmount":"1.00"}}]""")),
                CreatedAt = now,
            };
            await db.SaveChangesAsync();
            var subscription = new Subscription
            {
                CustomerId = customer.Id, BillingAnchor = "calendar", TimeZone = "UTC", StartsAt = monthStart, CreatedAt = now,
                Phases = [new SubscriptionPhase { PlanVersion = version, StartsAt = monthStart }],
            };
            SubscriptionSchedule.ScheduleFrom(subscription, monthStart);
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return (customer.Id, subscription.Id);
        });
        await portal.CreateUserAsync(email, Password, Roles.CustomerOwner, customerId);
        return new PerCallCustomer(externalId, email, subscriptionId, monthStart.AddMonths(1));
    }

    /// <summary>Sends <paramref name="count"/> <c>api.request</c> events of this organisation to the API at <paramref name="api"/>, as the operator's backend does.</summary>
    public async Task PostCallsAsync(Uri api, int count)
    {
        using var client = new HttpClient { BaseAddress = api };
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, count).Select(i => new
        {
            id = Guid.NewGuid().ToString(), source = "tests/browser", type = "api.request", subject = ExternalId,
            time = now.AddMilliseconds(-i), data = new { region = "eu-west", user_id = "u1" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
