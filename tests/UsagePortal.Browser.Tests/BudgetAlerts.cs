using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// An owner sets a budget, a threshold, an e-mail recipient and a webhook on the page; events sent to the API cross the
/// threshold, and the open page's bell shows it without a reload, the e-mail is in the pickup folder and the listener has
/// one correctly signed webhook; more events send nothing more.
/// </summary>
public sealed class BudgetAlerts(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task AThresholdCrossedByNewEventsNotifiesOnEveryChannelOnce() => InBrowserAsync(async page =>
    {
        await using var listener = await WebhookListener.StartAsync();
        var customer = await PerCallCustomer.CreateAsync(Fixture.Portal, "budget");
        var recipient = $"finance-{Guid.NewGuid():N}"[..16] + "@example.com";
        await SignInAsync(page, customer.Email, PerCallCustomer.Password, "/app");
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Budget and alerts", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/app/budgets"));
        await page.EvaluateAsync("() => { window.__stillHere = true; }");

        var form = page.GetByTestId("budget-form");
        await form.GetByLabel("Budget per period").FillAsync("10.00");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add threshold" }).ClickAsync();
        await form.GetByLabel("Percent of budget").FillAsync("50");
        await form.GetByLabel("E-mail recipients").FillAsync(recipient);
        await form.GetByLabel("Webhook URL").FillAsync(listener.Url);
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Budget saved");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create signing secret" }).ClickAsync();
        var secret = (await page.GetByTestId("webhook-secret").InnerTextAsync()).Trim();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        await Expect(page.GetByTestId("alert-count")).ToHaveAttributeAsync("data-count", "0");

        await customer.PostCallsAsync(Fixture.BaseAddress, 6);
        await Expect(page.GetByTestId("alert-count")).ToHaveAttributeAsync("data-count", "1");
        await Expect(page.GetByTestId("delivery-row")).ToHaveCountAsync(3);

        // The outbox delivers: one e-mail, one webhook signed with the secret the page showed.
        var mail = (await Fixture.Portal.DeliverAndParseAsync()).Where(m => m.To == recipient).ToList();
        Assert.Single(mail);
        Assert.Contains("past 50 % of your 10.00 USD budget", mail[0].TextBody, StringComparison.Ordinal);
        var hook = Assert.Single(listener.Received);
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{hook.Timestamp}.{hook.Body}")));
        Assert.Equal(expected, hook.Signature);

        // More events: spend moves on the page, nothing fires or is sent again.
        await customer.PostCallsAsync(Fixture.BaseAddress, 3);
        await Expect(page.GetByTestId("spend-actual")).ToHaveTextAsync("9.00 USD");
        await Fixture.Portal.DeliverAndParseAsync();
        Assert.Single(listener.Received);
        Assert.Single(await Fixture.Portal.DeliverAndParseAsync(), m => m.To == recipient);
        await Expect(page.GetByTestId("alert-count")).ToHaveAttributeAsync("data-count", "1");

        await page.GetByRole(AriaRole.Button, new() { Name = "Alerts: 1 unread" }).ClickAsync();
        await Expect(page.GetByTestId("alert-item")).ToContainTextAsync("past 50 % of your 10.00 USD budget");
        await Expect(page.GetByTestId("alert-count")).ToHaveAttributeAsync("data-count", "0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Alerts: none unread" }).ClickAsync();
        await Expect(page.GetByTestId("alert-item")).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__stillHere === true"), "The page was reloaded.");
        await KeepScreenshotAsync(page, "budgets");
    });
}
