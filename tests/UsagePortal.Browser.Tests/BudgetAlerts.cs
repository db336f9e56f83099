using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// An owner sets a budget, a threshold, an e-mail recipient and a webhook on the page; events sent to the API cross the
/// threshold, and the open page's bell shows it without a reload, the e-mail is in the pickup folder and the listener has
/// one correctly signed webhook; more events send nothing more.
/// </summary>
public sealed class BudgetAlerts(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    private const string Password = "Budget!Owner1";

    [Fact]
    public Task AThresholdCrossedByNewEventsNotifiesOnEveryChannelOnce() => InBrowserAsync(async page =>
    {
        await using var listener = await WebhookListener.StartAsync();
        var (externalId, email) = await PerCallCustomerWithOwnerAsync();
        var recipient = $"finance-{Guid.NewGuid():N}"[..16] + "@example.com";
        await SignInAsync(page, email, Password, "/app");
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

        await PostEventsAsync(externalId, 6);
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
        await PostEventsAsync(externalId, 3);
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

    /// <summary>A new organisation on 1.00 per API request since the start of this month, with an owner who can sign in.</summary>
    private async Task<(string ExternalId, string Email)> PerCallCustomerWithOwnerAsync()
    {
        var externalId = $"budget-{Guid.NewGuid():N}"[..20];
        var email = $"owner-{Guid.NewGuid():N}"[..14] + "@budget.example";
        var now = DateTime.UtcNow;
        var monthStart = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var customerId = await Fixture.Portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Customer { ExternalId = externalId, Name = "Budget Browser Ltd", Email = email, Locale = "en-US", CreatedAt = now };
            db.Customers.Add(customer);
            var version = new PlanVersion
            {
                Plan = new Plan { Code = externalId, CreatedAt = now },
                Version = 1,
                Name = "Per call",
                Currency = "USD",
                ChargesJson = PlanTerms.WriteCharges(PlanTerms.ParseCharges("""[{"meter":"api_calls","model":"standard","properties":{"unitAmount":"1.00"}}]""")),
                CreatedAt = now,
            };
            await db.SaveChangesAsync();
            var subscription = new Subscription
            {
                CustomerId = customer.Id,
                BillingAnchor = "calendar",
                TimeZone = "UTC",
                StartsAt = monthStart,
                CreatedAt = now,
                Phases = [new SubscriptionPhase { PlanVersion = version, StartsAt = monthStart }],
            };
            SubscriptionSchedule.ScheduleFrom(subscription, monthStart);
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return customer.Id;
        });
        await Fixture.Portal.CreateUserAsync(email, Password, Roles.CustomerOwner, customerId);
        return (externalId, email);
    }

    private async Task PostEventsAsync(string subject, int count)
    {
        using var client = new HttpClient { BaseAddress = Fixture.BaseAddress };
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, count).Select(i => new
        {
            id = Guid.NewGuid().ToString(),
            source = "tests/browser-budgets",
            type = "api.request",
            subject,
            time = now.AddMilliseconds(-i),
            data = new { region = "eu-west", user_id = "u1" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
