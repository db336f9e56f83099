using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Invoicing;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// The dashboard's numbers are the usage API's and the invoice's: after events sent to the API, the page shows usage and
/// fees equal to the API's total, and a cost so far equal to the draft invoice the invoicer makes when the period closes.
/// </summary>
public sealed partial class DashboardAgreement(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task TheDashboardEqualsTheUsageApiAndTheDraftInvoice() => InBrowserAsync(async page =>
    {
        var customer = await PerCallCustomer.CreateAsync(Fixture.Portal, "agree", flatFee: 500, taxRate: 0.1m);
        await customer.PostCallsAsync(Fixture.BaseAddress, 7);
        await SignInAsync(page, customer.Email, PerCallCustomer.Password, "/app");
        await Expect(page.Locator("[data-testid='dashboard'][data-interactive='true']")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        // 7 calls at 1.00 and a 5.00 flat fee: 12.00 of usage and fees, 10 % tax.
        await Expect(page.GetByTestId("cost-so-far-sum")).ToContainTextAsync("12.00");
        var shownTotal = Amount(await page.GetByTestId("cost-so-far").InnerTextAsync());
        var shownUsageAndFees = Amount(await page.GetByTestId("cost-so-far-sum").Locator("div").First.InnerTextAsync());

        using var api = new HttpClient { BaseAddress = Fixture.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var usage = JsonDocument.Parse(await api.GetStringAsync($"api/v1/customers/{customer.ExternalId}/usage"));
        var apiTotal = decimal.Parse(usage.RootElement.GetProperty("total").GetString()!, CultureInfo.InvariantCulture);

        // The invoicer closes the period as it will at its end: the draft holds the same usage.
        await Fixture.Portal.WithServicesAsync(services => ActivatorUtilities.CreateInstance<InvoiceRunner>(services, new TestClock(customer.PeriodEnd.AddMinutes(1))).CloseDuePeriodsAsync());
        var draft = await Fixture.Portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking()
            .SingleAsync(i => i.SubscriptionId == customer.SubscriptionId && i.Status == InvoiceStatuses.Draft));

        Assert.Equal((12.00m, 12.00m, 13.20m), (shownUsageAndFees, apiTotal, shownTotal));
        Assert.Equal((1200L, 1320L), (draft.Subtotal, draft.Total));
    });

    private static decimal Amount(string text) => decimal.Parse(AmountPattern().Match(text).Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d[\d,]*\.\d\d")]
    private static partial Regex AmountPattern();
}
