using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// The dashboard's numbers are the usage API's and the invoice's: after events sent to the API, the page shows usage and
/// fees equal to the API's total, and a cost so far equal to the draft invoice the invoicer makes when the period closes.
/// </summary>
public sealed partial class DashboardAgreement(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    private const string Password = "Agree!Owner1";

    [Fact]
    public Task TheDashboardEqualsTheUsageApiAndTheDraftInvoice() => InBrowserAsync(async page =>
    {
        var (externalId, email, subscriptionId, periodEnd) = await CustomerAsync();
        await PostEventsAsync(externalId, 7);
        await SignInAsync(page, email, Password, "/app");
        await Expect(page.Locator("[data-testid='dashboard'][data-interactive='true']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        // 7 calls at 1.00 and a 5.00 flat fee: 12.00 of usage and fees, 10 % tax.
        await Expect(page.GetByTestId("cost-so-far-sum")).ToContainTextAsync("12.00");
        var shownTotal = Amount(await page.GetByTestId("cost-so-far").InnerTextAsync());
        var shownUsageAndFees = Amount(await page.GetByTestId("cost-so-far-sum").Locator("div").First.InnerTextAsync());

        using var api = new HttpClient { BaseAddress = Fixture.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var usage = JsonDocument.Parse(await api.GetStringAsync($"api/v1/customers/{externalId}/usage"));
        var apiTotal = decimal.Parse(usage.RootElement.GetProperty("total").GetString()!, CultureInfo.InvariantCulture);

        // The invoicer closes the period as it will at its end: the draft holds the same usage.
        await Fixture.Portal.WithServicesAsync(services => ActivatorUtilities.CreateInstance<InvoiceRunner>(services, new TestClock(periodEnd.AddMinutes(1))).CloseDuePeriodsAsync());
        var draft = await Fixture.Portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking()
            .SingleAsync(i => i.SubscriptionId == subscriptionId && i.Status == InvoiceStatuses.Draft));

        Assert.Equal((12.00m, 12.00m, 13.20m), (shownUsageAndFees, apiTotal, shownTotal));
        Assert.Equal((1200L, 1320L), (draft.Subtotal, draft.Total));
    });

    private static decimal Amount(string text) => decimal.Parse(AmountPattern().Match(text).Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d[\d,]*\.\d\d")]
    private static partial Regex AmountPattern();

    private async Task<(string ExternalId, string Email, int SubscriptionId, DateTime PeriodEnd)> CustomerAsync()
    {
        var externalId = $"agree-{Guid.NewGuid():N}"[..20];
        var email = $"owner-{Guid.NewGuid():N}"[..14] + "@agree.example";
        var now = DateTime.UtcNow;
        var monthStart = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var (customerId, subscriptionId) = await Fixture.Portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Customer { ExternalId = externalId, Name = "Agreement Ltd", Email = email, Locale = "en-US", TaxRate = 0.1m, CreatedAt = now };
            db.Customers.Add(customer);
            var version = new PlanVersion
            {
                Plan = new Plan { Code = externalId, CreatedAt = now },
                Version = 1,
                Name = "Per call",
                Currency = "USD",
                FlatFeeMinorUnits = 500,
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
        await Fixture.Portal.CreateUserAsync(email, Password, Roles.CustomerOwner, customerId);
        return (externalId, email, subscriptionId, monthStart.AddMonths(1));
    }

    private async Task PostEventsAsync(string subject, int count)
    {
        using var client = new HttpClient { BaseAddress = Fixture.BaseAddress };
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, count).Select(i => new
        {
            id = Guid.NewGuid().ToString(), source = "tests/browser-agreement", type = "api.request", subject,
            time = now.AddMilliseconds(-i), data = new { region = "eu-west", user_id = "u1" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
