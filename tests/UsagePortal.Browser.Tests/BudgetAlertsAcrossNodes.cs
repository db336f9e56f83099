using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// Two app processes on one PostgreSQL database, each with its alert evaluator and its outbox sweep running: the owner
/// sets a threshold on node B's page, events sent to both nodes at once cross it, and the alert shows in node B's bell,
/// e-mails once and calls the webhook once, signed; more events on both nodes send nothing more.
/// </summary>
public sealed partial class BudgetAlertsAcrossNodes(TwoNodesWithOutboxFixture fixture, ITestOutputHelper output)
    : BrowserTest(fixture, output), IClassFixture<TwoNodesWithOutboxFixture>
{
    [Fact]
    public Task AThresholdCrossedByEventsOnTwoNodesNotifiesOnceOnEveryChannel() => InBrowserAsync(async page =>
    {
        var nodes = (TwoNodesWithOutboxFixture)Fixture;
        await using var listener = await WebhookListener.StartAsync();
        var recipient = $"ops-{Guid.NewGuid():N}"[..12] + "@example.com";
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.GotoAsync("app/budgets");
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var spent = Amount(await page.GetByTestId("spend-actual").InnerTextAsync());
        var unread = int.Parse(await page.GetByTestId("alert-count").GetAttributeAsync("data-count") ?? "0", CultureInfo.InvariantCulture);

        // Only a threshold 1.00 above this period's spend (the demo's own are removed): two completions of 200,000 tokens,
        // two packages of 100,000 at 0.80 each, cross it.
        var form = page.GetByTestId("budget-form");
        while (await form.GetByTestId("threshold-row").CountAsync() is > 0 and var count)
        {
            await form.GetByTestId("threshold-remove").First.ClickAsync();
            await Expect(form.GetByTestId("threshold-row")).ToHaveCountAsync(count - 1);
        }

        var rows = 0;
        await form.GetByRole(AriaRole.Button, new() { Name = "Add threshold" }).ClickAsync();
        await Expect(form.GetByTestId("threshold-row")).ToHaveCountAsync(rows + 1);
        var added = form.GetByTestId("threshold-row").Nth(rows);
        await added.Locator(".mud-select").First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "amount", Exact = true }).ClickAsync();
        await added.GetByLabel("Amount (USD)").FillAsync((spent + 1m).ToString("0.00", CultureInfo.InvariantCulture));
        await form.GetByLabel("E-mail recipients").FillAsync(recipient);
        await form.GetByLabel("Webhook URL").FillAsync(listener.Url);
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Budget saved");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create signing secret" }).ClickAsync();
        var secret = (await page.GetByTestId("webhook-secret").InnerTextAsync()).Trim();

        await Task.WhenAll(PostTokensAsync(nodes.NodeA.Address), PostTokensAsync(nodes.NodeB.Address));
        await Expect(page.GetByTestId("alert-count")).ToHaveAttributeAsync("data-count", (unread + 1).ToString(CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        await Expect(page.Locator($"[data-testid=delivery-row][data-channel=webhook][data-state=Delivered]")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Expect(page.Locator($"[data-testid=delivery-row][data-channel=email][data-state=Delivered]")).ToHaveCountAsync(1, new() { Timeout = 60_000 });

        // More events on both nodes: spend moves on, the alert does not fire again.
        var before = await page.GetByTestId("spend-actual").InnerTextAsync();
        await Task.WhenAll(PostTokensAsync(nodes.NodeA.Address), PostTokensAsync(nodes.NodeB.Address));
        try
        {
            await Expect(page.GetByTestId("spend-actual")).Not.ToHaveTextAsync(before, new() { Timeout = 30_000 });
        }
        catch (PlaywrightException)
        {
            Output.WriteLine("Node A:\n" + nodes.NodeA.Output + "\nNode B:\n" + nodes.NodeB.Output);
            throw;
        }
        await Expect(page.GetByTestId("alert-count")).ToHaveAttributeAsync("data-count", (unread + 1).ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-testid=delivery-row][data-channel=webhook]")).ToHaveCountAsync(1);

        var hook = Assert.Single(listener.Received);
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{hook.Timestamp}.{hook.Body}")));
        Assert.Equal(expected, hook.Signature);
        Assert.Single(Directory.GetFiles(nodes.MailFolder, "*.eml").Select(EmlMessage.Read), m => m.To == recipient);
    });

    private static decimal Amount(string text) => decimal.Parse(AmountPattern().Match(text).Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d[\d,]*\.\d\d")]
    private static partial Regex AmountPattern();

    /// <summary>One LLM completion of 200,000 tokens for the demo customer, sent to <paramref name="node"/>.</summary>
    private static async Task PostTokensAsync(Uri node)
    {
        using var client = new HttpClient { BaseAddress = node };
        var events = new[]
        {
            new
            {
                id = Guid.NewGuid().ToString(), source = "tests/browser-budget-nodes", type = "llm.completion", subject = DemoSettings.CustomerExternalId,
                time = DateTimeOffset.UtcNow, data = new { model = "large", tokens = 200_000 },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The two nodes of <see cref="TwoNodesOnPostgresFixture"/>, each delivering its outbox as in production.</summary>
public sealed class TwoNodesWithOutboxFixture : TwoNodesOnPostgresFixture
{
    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Outbox:Enabled"] = "true" };
}
