using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Budgets;
using UsagePortal.Domain.Outbox;
using UsagePortal.Web.Tests.Api;
using UsagePortal.Web.Tests.Billing;
using UsagePortal.Web.Tests.Hosting;

namespace UsagePortal.Web.Tests.Budgets;

/// <summary>
/// Two app nodes on one PostgreSQL database, each with its own evaluator hearing every change through LISTEN/NOTIFY:
/// batches sent to both at once cross every threshold and the cap, and each alert fires, e-mails and calls the webhook once.
/// </summary>
public sealed class BudgetTwoNodeTests(PostgresBillingPortal nodeA) : IClassFixture<PostgresBillingPortal>, IAsyncLifetime
{
    private SecondNode nodeB = null!;
    private WebhookListener listener = null!;

    public async Task InitializeAsync()
    {
        _ = nodeA.Services; // node A migrates the database first
        nodeB = new SecondNode(nodeA);
        _ = nodeB.Services;
        listener = await WebhookListener.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await listener.DisposeAsync();
        await nodeB.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentBatchesOnTwoNodesFireEachAlertOnce()
    {
        using var apiA = await nodeA.ApiClientAsync();
        using var apiB = nodeB.CreateClient();
        apiB.DefaultRequestHeaders.Authorization = apiA.DefaultRequestHeaders.Authorization;
        var (id, customer, type) = await nodeA.PerCallCustomerAsync(apiA);
        var recipient = $"{Unique.Name("ops")}@example.com";
        await nodeA.SaveBudgetAsync(id, new BudgetInput("8.00", "6.00", recipient, listener.Url,
            [BudgetFixtures.Percent("25"), BudgetFixtures.Percent("50"), BudgetFixtures.Percent("75"), BudgetFixtures.Percent("100")]));
        await nodeA.NewWebhookSecretAsync(id);

        // Node B answers (and keeps) "allowed" before the cap is reached.
        Assert.Contains("\"status\":\"allowed\"", await apiB.GetStringAsync($"/api/v1/customers/{customer}/entitlement"), StringComparison.Ordinal);

        // Sixteen batches of one event, half to each node, all at once: spend climbs to 16.00 past every threshold and the cap.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? apiA : apiB).SendAsync(type, customer, 1)));
        var fired = await BudgetFixtures.WaitForAsync(() => nodeA.FiringsAsync(id), f => f.Count == 5, what: "four thresholds and the cap");
        // Whichever node found the cap reached, node B forgets what it kept and answers "blocked" within the second.
        await BudgetFixtures.WaitForAsync(() => apiB.GetStringAsync($"/api/v1/customers/{customer}/entitlement"),
            answer => answer.Contains("\"status\":\"blocked\"", StringComparison.Ordinal), TimeSpan.FromSeconds(1), "node B's blocked answer");

        // Both nodes look again at the same time, twice; then both sweep the outbox at once.
        for (var round = 0; round < 2; round++)
        {
            await Task.WhenAll(
                nodeA.WithServicesAsync(s => s.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(id)),
                EvaluateOnAsync(nodeB, id));
        }

        await Task.WhenAll(Deliver(nodeA), Deliver(nodeB));
        await Task.WhenAll(Deliver(nodeA), Deliver(nodeB));

        fired = await nodeA.FiringsAsync(id);
        Assert.Equal(5, fired.Count);
        Assert.Equal(5, fired.Select(f => f.Key).Distinct().Count());
        Assert.Single(fired, f => f.Type == AlertTypes.CapReached);
        var hooks = listener.Received;
        Assert.Equal(5, hooks.Count);
        Assert.Equal(5, hooks.Select(h => h.Id).Distinct().Count());
        Assert.Equal(5, Directory.GetFiles(nodeA.MailFolder, "*.eml").Select(EmlMessage.Read).Count(m => m.To == recipient));
        using var entitlement = await apiB.GetAsync($"/api/v1/customers/{customer}/entitlement");
        var text = await entitlement.Content.ReadAsStringAsync();
        Assert.True(text.Contains("\"status\":\"blocked\"", StringComparison.Ordinal), text);
    }

    private static async Task<int> EvaluateOnAsync(WebApplicationFactory<Program> node, int customerId)
    {
        await using var scope = node.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(customerId);
    }

    private static async Task Deliver(WebApplicationFactory<Program> node)
    {
        await using var scope = node.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None);
    }
}
