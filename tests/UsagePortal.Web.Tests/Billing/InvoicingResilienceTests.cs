using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// One customer's odd data never breaks another customer's invoice (the hardening issue): a negative correction in a
/// sum meter is billed at no less than 0, and a subscription that cannot be invoiced is recorded, retried with backoff
/// and shown to admins while the sweep goes on with the rest.
/// </summary>
public sealed class InvoicingResilienceTests(BillingPortal portal) : IClassFixture<BillingPortal>
{
    private static readonly DateTime August = new(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset SeptemberFirst = new(2026, 9, 1, 0, 30, 0, TimeSpan.Zero);

    private static async Task<(string Meter, string EventType)> SumMeterAsync(HttpClient api, string property)
    {
        var eventType = Unique.EventType("resilience." + property);
        var meter = Unique.MeterCode(property);
        await api.CreateMeterAsync(Meter(meter, eventType, "sum", property));
        return (meter, eventType);
    }

    private static Task<IngestAnswer> SendAsync(HttpClient api, string eventType, string customer, DateTimeOffset time, params (string Property, JsonNode Value)[] values) =>
        api.IngestBatchAsync(values.Select((v, i) => (JsonNode)Event(Unique.Name("ev"), eventType, customer, time.AddMinutes(i), new JsonObject { [v.Property] = v.Value.DeepClone() })).ToList());

    [Fact]
    public async Task A_negative_value_costs_nothing_and_a_healthy_customer_due_in_the_same_sweep_is_invoiced()
    {
        using var api = await portal.ApiClientAsync();
        var (tokens, llm) = await SumMeterAsync(api, "tokens");
        var (payments, paid) = await SumMeterAsync(api, "amount");
        var version = await portal.CreatePlanVersionAsync("Tokens", "USD", 500, 0,
            Charges.Standard(tokens, "0.01"),
            new { meter = payments, model = "percentage", properties = new { rate = "1", fixedAmount = "0.30", perTransactionMinAmount = "0.50" } });
        var (brokenId, broken) = await portal.CreateBillingCustomerAsync();
        var (healthyId, healthy) = await portal.CreateBillingCustomerAsync();
        var brokenSubscription = await portal.SubscribeAsync(brokenId, version, August);
        var healthySubscription = await portal.SubscribeAsync(healthyId, version, August);
        var mid = new DateTimeOffset(2026, 8, 12, 10, 0, 0, TimeSpan.Zero);
        // The event of the issue: "tokens": -1. Before the fix it was accepted and every read of this customer answered 500.
        Assert.Equal(1, (await SendAsync(api, llm, broken, mid, ("tokens", -1))).Accepted);
        Assert.Equal(2, (await SendAsync(api, paid, broken, mid, ("amount", 100), ("amount", -40))).Accepted);
        Assert.Equal(1, (await SendAsync(api, llm, healthy, mid, ("tokens", 250))).Accepted);

        using var usage = await api.GetAsync(UsageUrl(broken, "2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z"));
        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.Equal(-1m, Usage.Parse(await usage.Content.ReadAsStringAsync()).Quantity(tokens));

        var result = await portal.RunInvoicerAsync(SeptemberFirst);

        Assert.True(result.Closed >= 2 && result.Finalized >= 2, $"closed {result.Closed}, finalized {result.Finalized}");
        var brokenInvoice = Assert.Single(await portal.InvoicesAsync(brokenSubscription));
        var healthyInvoice = Assert.Single(await portal.InvoicesAsync(healthySubscription));
        Assert.Equal((InvoiceStatuses.Finalized, InvoiceStatuses.Finalized), (brokenInvoice.Status, healthyInvoice.Status));
        var tokenLine = brokenInvoice.Lines.Single(l => l.MeterCode == tokens);
        Assert.Equal((0m, 0L), (tokenLine.Quantity, tokenLine.Amount));
        // 100 then a refund of 40: one transaction of 60 → 0.60 + 0.30 fixed = 0.90; the refund pays no fee or minimum.
        Assert.Equal(90L, brokenInvoice.Lines.Single(l => l.MeterCode == payments).Amount);
        Assert.Equal(500L + 90L, brokenInvoice.Total);
        Assert.Equal(500L + 250L, healthyInvoice.Total);
    }

    [Fact]
    public async Task A_negative_value_in_the_current_period_leaves_the_usage_answer_and_its_projection_working()
    {
        using var api = await portal.ApiClientAsync();
        var (tokens, llm) = await SumMeterAsync(api, "tokens");
        var version = await portal.CreatePlanVersionAsync("Tokens now", "USD", 0, 0, Charges.Standard(tokens, "0.01"));
        var (customerId, customer) = await portal.CreateBillingCustomerAsync();
        var now = DateTimeOffset.UtcNow;
        await portal.SubscribeAsync(customerId, version, new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(1, (await SendAsync(api, llm, customer, now.AddMinutes(-5), ("tokens", -1))).Accepted);

        using var response = await api.GetAsync($"/api/v1/customers/{customer}/usage");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Contains("\"projection\"", text, StringComparison.Ordinal);
        Assert.Equal(-1m, Usage.Parse(text).Quantity(tokens));
    }

    [Fact]
    public async Task A_subscription_that_cannot_be_invoiced_is_recorded_retried_with_backoff_and_holds_back_no_other()
    {
        using var api = await portal.ApiClientAsync();
        var (tokens, llm) = await SumMeterAsync(api, "tokens");
        var version = await portal.CreatePlanVersionAsync("Isolation", "USD", 700, 0, Charges.Standard(tokens, "0.01"));
        var (failingId, failingCustomer) = await portal.CreateBillingCustomerAsync();
        var (healthyId, healthy) = await portal.CreateBillingCustomerAsync();
        var failing = await portal.SubscribeAsync(failingId, version, August);
        var fine = await portal.SubscribeAsync(healthyId, version, August);
        var early = new DateTimeOffset(2026, 8, 3, 9, 0, 0, TimeSpan.Zero);
        await SendAsync(api, llm, healthy, early, ("tokens", 100));
        // A bill no decimal can hold: the largest value an event may carry, at a per-customer price of 10^14 each
        // (10^29 > 7.9 × 10^28): rating this one period overflows.
        await SendAsync(api, llm, failingCustomer, early, ("tokens", 1_000_000_000_000_000m));
        await SetOverridesAsync(failing, $$$"""[{"meter":"{{{tokens}}}","model":"standard","properties":{"unitAmount":"100000000000000"}}]""");

        await portal.RunInvoicerAsync(SeptemberFirst);

        Assert.Equal(InvoiceStatuses.Finalized, Assert.Single(await portal.InvoicesAsync(fine)).Status);
        Assert.Empty(await portal.InvoicesAsync(failing));
        var first = await SubscriptionAsync(failing);
        Assert.Equal(1, first.BillingFailures);
        Assert.Contains("OverflowException", first.BillingError, StringComparison.Ordinal);
        Assert.Equal(SeptemberFirst.UtcDateTime.AddMinutes(1), first.BillingRetryAt);
        Assert.Null(first.LeasedUntil);

        // Within the backoff the sweep leaves it alone; after it, it tries again and waits twice as long.
        await portal.RunInvoicerAsync(SeptemberFirst.AddSeconds(30));
        Assert.Equal(1, (await SubscriptionAsync(failing)).BillingFailures);
        await portal.RunInvoicerAsync(SeptemberFirst.AddMinutes(1));
        var second = await SubscriptionAsync(failing);
        Assert.Equal(2, second.BillingFailures);
        Assert.Equal(SeptemberFirst.UtcDateTime.AddMinutes(3), second.BillingRetryAt);

        // Admins see it: on the API's subscription answer, and on the customer's admin page.
        var answer = await api.GetJsonAsync($"/api/v1/subscriptions/{failing}");
        var failure = answer.GetProperty("billingFailure");
        Assert.Equal(2, failure.GetProperty("attempts").GetInt32());
        Assert.Contains("OverflowException", failure.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await api.GetJsonAsync($"/api/v1/subscriptions/{fine}")).GetProperty("billingFailure").ValueKind);
        var adminEmail = $"{Unique.Name("admin")}@operator.test";
        await portal.CreateUserAsync(adminEmail, "Admin!Resilience2026", Roles.Admin, null);
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(adminEmail, "Admin!Resilience2026");
        var page = await admin.GetPageAsync($"/admin/customers/{failingId}");
        Assert.Contains("data-testid=\"billing-failure\"", page, StringComparison.Ordinal);
        Assert.Contains("OverflowException", page, StringComparison.Ordinal);

        // Once the data is mended the next attempt invoices it and the record of failures is cleared.
        await SetOverridesAsync(failing, null);
        await portal.RunInvoicerAsync(SeptemberFirst.AddMinutes(3));
        Assert.Equal(InvoiceStatuses.Finalized, Assert.Single(await portal.InvoicesAsync(failing)).Status);
        var mended = await SubscriptionAsync(failing);
        Assert.Equal((0, null, null), (mended.BillingFailures, mended.BillingError, mended.BillingRetryAt));
    }

    private Task SetOverridesAsync(int subscriptionId, string? overridesJson) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Subscriptions
            .Where(s => s.Id == subscriptionId)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.OverridesJson, overridesJson)));

    private Task<Subscription> SubscriptionAsync(int id) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Subscriptions.AsNoTracking().SingleAsync(s => s.Id == id));
}
