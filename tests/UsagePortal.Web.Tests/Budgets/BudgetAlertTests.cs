using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Budgets;
using UsagePortal.Domain.Budgets;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Outbox;
using UsagePortal.Web.Tests.Api;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Budgets;

/// <summary>
/// Thresholds and the hard cap as usage arrives, on SQLite: the evaluator runs in the background as in production (woken by
/// ingestion), the outbox is swept by the test, and webhooks go to a real local listener.
/// </summary>
public sealed class BudgetAlertTests(BillingPortal portal) : IClassFixture<BillingPortal>, IAsyncLifetime
{
    private WebhookListener listener = null!;
    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        listener = await WebhookListener.StartAsync();
        api = await portal.ApiClientAsync();
    }

    public async Task DisposeAsync()
    {
        api.Dispose();
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task ACrossedThresholdFiresOnceOnEveryChannelWithASignedWebhook()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        var recipient = $"{Unique.Name("finance")}@example.com";
        var saved = await portal.SaveBudgetAsync(id, new BudgetInput("10.00", null, recipient, listener.Url,
            [BudgetFixtures.Percent("50"), BudgetFixtures.Percent("100")]));
        Assert.True(saved.Succeeded, string.Join("; ", saved.Errors));
        var secret = await portal.NewWebhookSecretAsync(id);

        await api.SendAsync(type, customer, 6);
        var fired = await BudgetFixtures.WaitForAsync(() => portal.FiringsAsync(id), f => f.Count >= 1, what: "the 50 % alert");
        var half = Assert.Single(fired);
        Assert.Equal((AlertTypes.ThresholdReached, 600L, 500L, "USD"), (half.Type, half.Spend, half.Limit, half.Currency));
        Assert.Equal("Spend this period is 6.00 USD, past 50 % of your 10.00 USD budget (5.00 USD).", half.Message);

        // More events: the 50 % alert does not fire again; the 100 % one fires when its turn comes, once.
        await api.SendAsync(type, customer, 2);
        await api.SendAsync(type, customer, 3);
        fired = await BudgetFixtures.WaitForAsync(() => portal.FiringsAsync(id), f => f.Count >= 2, what: "the 100 % alert");
        await api.SendAsync(type, customer, 1);
        await portal.WithServicesAsync(services => services.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(id));
        fired = await portal.FiringsAsync(id);
        Assert.Equal(["threshold:", "threshold:"], fired.Select(f => f.Key[..10]));
        Assert.Equal([500L, 1000L], fired.Select(f => f.Limit));
        Assert.Equal(2, fired.Select(f => f.Key).Distinct().Count());

        // The e-mail: one per alert, to the recipient, in the pickup folder.
        var mail = (await portal.DeliverAndParseAsync()).Where(m => m.To == recipient).ToList();
        Assert.Equal(2, mail.Count);
        Assert.Contains("past 50 % of your 10.00 USD budget", mail[0].TextBody, StringComparison.Ordinal);

        // The webhook: one per alert, signed over timestamp and body with the secret shown once.
        var hooks = listener.Received;
        Assert.Equal(2, hooks.Count);
        foreach (var hook in hooks)
        {
            Assert.Equal(BudgetFixtures.ExpectedSignature(secret, hook.Timestamp!, hook.Body), hook.Signature);
            Assert.StartsWith("application/json", hook.ContentType, StringComparison.Ordinal);
            Assert.InRange(long.Parse(hook.Timestamp!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        }

        using var body = JsonDocument.Parse(hooks[0].Body);
        var root = body.RootElement;
        Assert.Equal((hooks[0].Id, "budget.threshold_reached", customer), (root.GetProperty("id").GetString(), root.GetProperty("type").GetString(), root.GetProperty("customer").GetString()));
        var data = root.GetProperty("data");
        Assert.Equal(("actual", "50", "5.00", "6.00", "USD"), (data.GetProperty("basis").GetString(), data.GetProperty("percent").GetString(),
            data.GetProperty("limit").GetString(), data.GetProperty("spend").GetString(), data.GetProperty("currency").GetString()));

        // The delivery log says where each went and that it got there.
        var log = await portal.WithServicesAsync(services => services.GetRequiredService<AlertQueries>().DeliveriesAsync(id));
        Assert.Equal(6, log.Count);
        Assert.All(log, row => Assert.Equal(DeliveryState.Delivered, row.State));
        Assert.Equal(["email", "portal", "webhook"], log.Where(r => r.AlertId == fired[0].Id).Select(r => r.Channel).Order());

        // Nothing is sent twice by another sweep.
        await portal.DeliverAndParseAsync();
        Assert.Equal(2, listener.Received.Count);
    }

    [Fact]
    public async Task AReplayedWebhookCarriesTheSameIdSoTheReceiverCanDropIt()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        await portal.SaveBudgetAsync(id, new BudgetInput(null, null, null, listener.Url, [BudgetFixtures.Amount("2.00")]));
        var secret = await portal.NewWebhookSecretAsync(id);
        await api.SendAsync(type, customer, 3);
        var firing = (await BudgetFixtures.WaitForAsync(() => portal.FiringsAsync(id), f => f.Count == 1, what: "the alert"))[0];
        await portal.DeliverAndParseAsync();

        // As after a crash between delivery and marking it sent: the message is due again.
        await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages
            .Where(m => m.Kind == "webhook" && m.Payload.Contains(customer))
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.SentAt, (DateTime?)null).SetProperty(m => m.NextAttemptAt, DateTime.UtcNow.AddMinutes(-1))));
        await portal.DeliverAndParseAsync();

        var received = listener.Received;
        Assert.Equal(2, received.Count);
        Assert.Equal(received[0].Id, received[1].Id);
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.All(received, r => Assert.Equal(BudgetFixtures.ExpectedSignature(secret, r.Timestamp!, r.Body), r.Signature));
        Assert.Single(await portal.FiringsAsync(id), f => f.Id == firing.Id);
    }

    [Fact]
    public async Task AFailingEndpointIsRetriedAndTheLogSaysSo()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        await portal.SaveBudgetAsync(id, new BudgetInput(null, null, null, listener.Url, [BudgetFixtures.Amount("1.00")]));
        await portal.NewWebhookSecretAsync(id);
        listener.FailuresLeft = 1;
        await api.SendAsync(type, customer, 2);
        await BudgetFixtures.WaitForAsync(() => portal.FiringsAsync(id), f => f.Count == 1, what: "the alert");
        await portal.DeliverAndParseAsync();

        var log = await portal.WithServicesAsync(services => services.GetRequiredService<AlertQueries>().DeliveriesAsync(id));
        var webhook = Assert.Single(log, r => r.Channel == AlertChannels.Webhook);
        Assert.Equal((DeliveryState.Retrying, 1), (webhook.State, webhook.Attempts));
        Assert.Contains("500", webhook.LastError, StringComparison.Ordinal);
        Assert.True(webhook.NextAttemptAt > DateTime.UtcNow.AddSeconds(5), "backoff: the retry waits");

        await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages
            .Where(m => m.Id == webhook.Id).ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, DateTime.UtcNow.AddSeconds(-1))));
        await portal.DeliverAndParseAsync();
        log = await portal.WithServicesAsync(services => services.GetRequiredService<AlertQueries>().DeliveriesAsync(id));
        Assert.Equal((DeliveryState.Delivered, 2), (log.Single(r => r.Channel == AlertChannels.Webhook).State, log.Single(r => r.Channel == AlertChannels.Webhook).Attempts));
    }

    [Fact]
    public async Task AProjectedThresholdFiresOnTheProjectionBeforeSpendGetsThere()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        // A projected threshold far below what any month of this pace comes to, an actual one far above.
        await portal.SaveBudgetAsync(id, new BudgetInput("1000.00", null, null, null, [BudgetFixtures.Percent("0.5", SpendBases.Projected), BudgetFixtures.Percent("90")]));
        await api.SendAsync(type, customer, 5);

        var firing = Assert.Single(await BudgetFixtures.WaitForAsync(() => portal.FiringsAsync(id), f => f.Count == 1, what: "the projected alert"));
        Assert.Equal((SpendBases.Projected, 500L), (firing.Basis, firing.Limit));
        Assert.True(firing.Spend >= firing.Limit);
        Assert.StartsWith("Projected spend for this period is", firing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReachingTheCapBlocksWithinASecondFiresOnceStillStoresUsageAndTheInvoiceStopsAtTheCap()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        await portal.SaveBudgetAsync(id, new BudgetInput(null, "5.00", null, listener.Url, []));
        await portal.NewWebhookSecretAsync(id);
        await api.SendAsync(type, customer, 4);
        await portal.WithServicesAsync(services => services.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(id));
        Assert.Equal("allowed", (await EntitlementAsync(customer)).GetProperty("status").GetString());

        await api.SendAsync(type, customer, 2);
        var clock = Stopwatch.StartNew();
        var blocked = await BudgetFixtures.WaitForAsync(() => EntitlementAsync(customer), e => e.GetProperty("status").GetString() == "blocked", TimeSpan.FromSeconds(30), "blocked");
        var took = clock.Elapsed;
        Assert.True(took < TimeSpan.FromSeconds(1), $"blocked after {took.TotalMilliseconds:F0} ms");
        Assert.Equal("5.00", blocked.GetProperty("cap").GetString());
        Assert.Contains("spend cap of 5.00 USD is reached", blocked.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Usage past the cap is stored; the cap's alert does not fire again.
        await api.SendAsync(type, customer, 3);
        await portal.WithServicesAsync(services => services.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(id));
        var usage = await api.UsageAsync(customer, BudgetFixtures.MonthStart, BudgetFixtures.MonthStart.AddMonths(1));
        Assert.Equal(9m, usage.Meters.Values.Single(m => m.Quantity > 0).Quantity);
        var fired = Assert.Single(await portal.FiringsAsync(id));
        Assert.Equal((AlertTypes.CapReached, 500L), (fired.Type, fired.Limit));
        await portal.DeliverAndParseAsync();
        var hook = Assert.Single(listener.Received);
        Assert.Contains("\"type\":\"budget.cap_reached\"", hook.Body, StringComparison.Ordinal);

        // The period's invoice: 9.00 of usage, the adjustment line, 5.00 billed.
        var subscriptionId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Subscriptions.Where(s => s.CustomerId == id).Select(s => s.Id).SingleAsync());
        await portal.RunInvoicerAsync(new DateTimeOffset(BudgetFixtures.MonthStart.AddMonths(1).AddMinutes(1)));
        var invoice = Assert.Single(await portal.InvoicesAsync(subscriptionId));
        Assert.Equal((900L, -400L), (invoice.Lines[0].Amount, invoice.Lines[^1].Amount));
        Assert.Equal(LineKinds.CapAdjustment, invoice.Lines[^1].Kind);
        Assert.Equal("Spend cap of 5.00 USD: usage and fees came to 9.00; nothing past the cap is billed", invoice.Lines[^1].Description);
        Assert.Equal((500L, 500L), (invoice.Subtotal, invoice.Total));
    }

    [Fact]
    public async Task RaisingTheCapAllowsAgainAndTheNewCapFiresWhenReached()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        await portal.SaveBudgetAsync(id, new BudgetInput(null, "2.00", null, null, []));
        await api.SendAsync(type, customer, 3);
        await BudgetFixtures.WaitForAsync(() => EntitlementAsync(customer), e => e.GetProperty("status").GetString() == "blocked", what: "blocked");

        await portal.SaveBudgetAsync(id, new BudgetInput(null, "4.00", null, null, []));
        var allowed = await BudgetFixtures.WaitForAsync(() => EntitlementAsync(customer), e => e.GetProperty("status").GetString() == "allowed", what: "allowed");
        Assert.Equal(JsonValueKind.Null, allowed.GetProperty("reason").ValueKind);

        await api.SendAsync(type, customer, 1);
        await BudgetFixtures.WaitForAsync(() => EntitlementAsync(customer), e => e.GetProperty("status").GetString() == "blocked", what: "blocked at the new cap");
        Assert.Equal(["cap:200", "cap:400"], (await portal.FiringsAsync(id)).Select(f => f.Key));
    }

    [Fact]
    public async Task TheEntitlementOfAnUnknownCustomerIsNotFoundAndWithoutACapIsAllowed()
    {
        var missing = await api.GetAsync($"/api/v1/customers/{Unique.Name("nobody")}/entitlement");
        await MeteringApi.AssertProblemAsync(missing, HttpStatusCode.NotFound);

        var (_, customer, _) = await portal.PerCallCustomerAsync(api);
        var answer = await EntitlementAsync(customer);
        Assert.Equal(("allowed", JsonValueKind.Null), (answer.GetProperty("status").GetString(), answer.GetProperty("cap").ValueKind));

        using var anonymous = portal.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/customers/{customer}/entitlement")).StatusCode);
    }

    [Fact]
    public async Task BadSettingsNameTheFieldAndStoreNothing()
    {
        var (id, _, _) = await portal.PerCallCustomerAsync(api);
        await portal.SaveBudgetAsync(id, new BudgetInput("100.00", "150.00", "a@example.com", null, [BudgetFixtures.Percent("80")]));

        var refused = await portal.SaveBudgetAsync(id, new BudgetInput("-3", "1.001", "not-an-address", "http://example.com/hook",
            [BudgetFixtures.Percent("0"), new ThresholdInput(null, "10", "5.00", SpendBases.Actual), new ThresholdInput(null, "10", null, "nightly")]));

        Assert.False(refused.Succeeded);
        Assert.Equal(["amount", "cap", "emailRecipients", "thresholds[0].percent", "thresholds[1]", "thresholds[2].basis", "webhookUrl"],
            refused.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Contains("https", refused.ErrorFor("webhookUrl"), StringComparison.Ordinal);
        var kept = await portal.WithServicesAsync(services => services.GetRequiredService<BudgetService>().GetAsync(id));
        Assert.Equal((10000L, 15000L, "a@example.com", 1), (kept.Amount, kept.Cap, kept.EmailRecipients.Single(), kept.Thresholds.Count));

        var noBudget = await portal.SaveBudgetAsync(id, new BudgetInput(null, null, null, null, [BudgetFixtures.Percent("50")]));
        Assert.Equal("thresholds[0].percent", Assert.Single(noBudget.Errors).Field);
    }

    [Fact]
    public async Task AnUnchangedThresholdKeepsItsIdSoSavingDoesNotFireItAgain()
    {
        var (id, customer, type) = await portal.PerCallCustomerAsync(api);
        var first = (await portal.SaveBudgetAsync(id, new BudgetInput("4.00", null, null, null, [BudgetFixtures.Percent("50")]))).Value!;
        await api.SendAsync(type, customer, 3);
        await BudgetFixtures.WaitForAsync(() => portal.FiringsAsync(id), f => f.Count == 1, what: "the alert");

        var kept = first.Thresholds.Single();
        var again = (await portal.SaveBudgetAsync(id, new BudgetInput("4.00", null, null, null, [new ThresholdInput(kept.Id, "50", null, SpendBases.Actual)]))).Value!;
        await portal.WithServicesAsync(services => services.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(id));

        Assert.Equal(kept.Id, again.Thresholds.Single().Id);
        Assert.Single(await portal.FiringsAsync(id));
    }

    private async Task<JsonElement> EntitlementAsync(string customer)
    {
        using var response = await api.GetAsync($"/api/v1/customers/{customer}/entitlement");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
