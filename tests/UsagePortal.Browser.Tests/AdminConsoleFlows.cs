using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Pricing;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// The admin console's money flows, end to end in the browser: what the admin is shown before acting is what the invoice
/// then says. The invoicer is driven with a clock past the period's end, as it runs when the month is over.
/// </summary>
public sealed partial class AdminConsoleFlows(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task AnAdminBuildsAPlanWithGraduatedAndPackageChargesAndReadsItsPriceInTheCalculator() => InBrowserAsync(async page =>
    {
        var code = $"scale-{Guid.NewGuid():N}"[..16];
        await OpenAsAdminAsync(page, "/admin/plans");
        await page.GetByTestId("new-plan").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("New plan");

        await page.GetByTestId("plan-code").FillAsync(code);
        await page.GetByTestId("plan-name").FillAsync("Scale");
        await page.GetByTestId("plan-flatFee").FillAsync("20");
        // A bad amount is named at its field as it is typed.
        await page.GetByTestId("plan-minimumCommitment").FillAsync("1.234");
        await Expect(page.Locator(".mud-input-control").Filter(new() { Has = page.GetByTestId("plan-minimumCommitment") })).ToContainTextAsync("2 decimals at most");
        await page.GetByTestId("plan-minimumCommitment").FillAsync("0");

        var calls = page.GetByTestId("charge").Nth(0);
        await ChooseAsync(page, calls.GetByTestId("charge-meter"), "api_calls");
        await ChooseAsync(page, calls.GetByTestId("charge-model"), "Graduated");
        await calls.GetByTestId("range-to").Nth(0).FillAsync("1000");
        await calls.GetByTestId("range-price").Nth(0).FillAsync("0.01");
        await calls.GetByTestId("add-range").ClickAsync();
        await calls.GetByTestId("range-price").Nth(1).FillAsync("0.005");

        await page.GetByTestId("add-charge").ClickAsync();
        var storage = page.GetByTestId("charge").Nth(1);
        await ChooseAsync(page, storage.GetByTestId("charge-meter"), "storage_gb");
        await ChooseAsync(page, storage.GetByTestId("charge-model"), "Package");
        await storage.GetByTestId("charge-amount").FillAsync("5");
        await storage.GetByTestId("charge-packageSize").FillAsync("100");

        // 12,500 API calls: 1,000 at 0.01 and 11,500 at 0.005.
        await ChooseAsync(page, page.GetByTestId("calculator-charge"), "api_calls (graduated)");
        await page.GetByTestId("calculator-units").FillAsync("12500");
        await Expect(page.GetByTestId("calculator-total")).ToHaveTextAsync("67.5 USD");
        await Expect(page.GetByTestId("calculator-breakdown").Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("calculator-breakdown").Locator("tbody tr").Nth(0)).ToContainTextAsync("0 to 1,000 at 0.01 USD");
        await Expect(page.GetByTestId("calculator-breakdown").Locator("tbody tr").Nth(1)).ToContainTextAsync("over 1,000 at 0.005 USD");
        await Expect(page.GetByTestId("calculator-chart").Locator("svg")).ToBeVisibleAsync();
        await ChooseAsync(page, page.GetByTestId("calculator-charge"), "storage_gb (package)");
        await page.GetByTestId("calculator-units").FillAsync("250");
        await Expect(page.GetByTestId("calculator-total")).ToHaveTextAsync("15 USD");
        await KeepScreenshotAsync(page, "admin-plan-editor");

        await page.GetByTestId("publish-plan").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/admin/plans/{code}$"));
        await Expect(page.GetByTestId("plan-version")).ToContainTextAsync("api_calls: graduated: up to 1000 at 0.01 USD per unit; over 1000 at 0.005 USD per unit");
        await Expect(page.GetByTestId("plan-version")).ToContainTextAsync("storage_gb: 5 USD per started package of 100 units");
    });

    [Fact]
    public Task APlanChangesPreviewShowsTheLinesTheInvoiceThenHolds() => InBrowserAsync(async page =>
    {
        var customer = await PerCallCustomer.CreateAsync(Fixture.Portal, "switch", flatFee: 500);
        await customer.PostCallsAsync(Fixture.BaseAddress, 3);
        var target = await AddPlanAsync("Per call plus", flatFeeMinorUnits: 2000, unitAmount: "2.00");

        await OpenAsAdminAsync(page, $"/admin/customers/{await CustomerIdAsync(customer)}");
        await ChooseAsync(page, page.GetByTestId("change-plan"), $"({target})");
        await page.GetByTestId("change-submit").ClickAsync();

        var dialog = page.GetByTestId("plan-change-preview");
        await Expect(dialog).ToContainTextAsync("Next invoice");
        var rows = dialog.GetByTestId("preview-lines").Locator("tbody tr");
        var previewed = new List<(string Description, decimal Amount)>();
        for (var index = 0; index < await rows.CountAsync(); index++)
        {
            var cells = rows.Nth(index).Locator("td");
            previewed.Add(((await cells.Nth(0).InnerTextAsync()).Trim(), Amount(await cells.Nth(1).InnerTextAsync())));
        }

        var previewedTotal = Amount(await dialog.GetByTestId("preview-total").InnerTextAsync());
        await KeepScreenshotAsync(page, "admin-plan-change-preview");
        await page.GetByTestId("confirm-plan-change").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Moved to {target} now.");

        await Fixture.Portal.WithServicesAsync(services => ActivatorUtilities.CreateInstance<InvoiceRunner>(services, new TestClock(customer.PeriodEnd.AddMinutes(1))).CloseDuePeriodsAsync());
        var draft = await DraftAsync(customer);

        // Three calls at 1.00 and part of the 5.00 fee on the old plan; part of the 20.00 fee on the new one.
        Assert.Equal([.. draft.Lines.OrderBy(l => l.Position).Select(l => (l.Description, l.Amount / 100m))], previewed);
        Assert.Equal(draft.Total / 100m, previewedTotal);
        Assert.Contains(previewed, l => l.Amount == 3.00m);
    });

    [Fact]
    public Task ACreditIssuedInTheConsoleIsAppliedToTheNextInvoice() => InBrowserAsync(async page =>
    {
        var customer = await PerCallCustomer.CreateAsync(Fixture.Portal, "credit", flatFee: 1000);
        await customer.PostCallsAsync(Fixture.BaseAddress, 2);

        await OpenAsAdminAsync(page, $"/admin/customers/{await CustomerIdAsync(customer)}/credits");
        await page.GetByTestId("grant-amount").FillAsync("4.50");
        await page.GetByTestId("grant-reason").FillAsync("Apology for the outage");
        await page.GetByTestId("grant-submit").ClickAsync();
        // A confirmation names the amount first.
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Grant 4.50 USD?");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Grant credit" }).ClickAsync();
        await Expect(page.GetByTestId("credit-balance")).ToContainTextAsync("4.50");

        var invoiceId = await FinalizeThisPeriodAsync(customer);
        await page.GotoAsync($"/admin/invoices/{invoiceId}");
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);

        // 2 calls at 1.00 and the 10.00 fee: 12.00, less 4.50 of credit.
        await Expect(page.GetByTestId("subtotal")).ToContainTextAsync("12.00");
        await Expect(page.GetByTestId("credits-applied")).ToContainTextAsync("4.50");
        await Expect(page.GetByTestId("total")).ToContainTextAsync("7.50");
        await KeepScreenshotAsync(page, "admin-invoice-with-credit");
        await page.GotoAsync($"/admin/customers/{await CustomerIdAsync(customer)}/credits");
        await Expect(page.GetByTestId("credit-balance")).ToContainTextAsync("0.00");
    });

    [Fact]
    public Task AnAdminIssuesACreditNoteOnOneInvoiceAndVoidsAnother() => InBrowserAsync(async page =>
    {
        var credited = await PerCallCustomer.CreateAsync(Fixture.Portal, "noted", flatFee: 1000);
        var voided = await PerCallCustomer.CreateAsync(Fixture.Portal, "voided", flatFee: 1000);
        var creditedInvoice = await FinalizeThisPeriodAsync(credited);
        var voidedInvoice = await FinalizeThisPeriodAsync(voided);

        await OpenAsAdminAsync(page, $"/admin/invoices/{creditedInvoice}");
        await page.GetByTestId("credit-amount").FillAsync("2.25");
        await page.GetByTestId("credit-reason").FillAsync("Double-counted calls");
        await page.GetByTestId("issue-credit-note").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Issue credit note" }).ClickAsync();
        await Expect(page.GetByTestId("credit-notes")).ToContainTextAsync("2.25");
        await Expect(page.GetByTestId("credit-notes")).ToContainTextAsync("Double-counted calls");

        await page.GotoAsync($"/admin/invoices/{voidedInvoice}");
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        await page.GetByTestId("void-reason").FillAsync("Billed the wrong organisation");
        await page.GetByTestId("void").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Void invoice" }).ClickAsync();
        await Expect(page.GetByTestId("void-notice")).ToBeVisibleAsync();
        await KeepScreenshotAsync(page, "admin-invoice-void");

        var (notes, status) = await Fixture.Portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            return (await db.CreditNotes.AsNoTracking().Where(n => n.InvoiceId == creditedInvoice).Select(n => n.Amount).ToListAsync(),
                await db.Invoices.AsNoTracking().Where(i => i.Id == voidedInvoice).Select(i => i.Status).SingleAsync());
        });
        Assert.Equal([225L], notes);
        Assert.Equal(InvoiceStatuses.Void, status);
    });

    private async Task OpenAsAdminAsync(IPage page, string path)
    {
        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin");
        await page.GotoAsync(path);
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
    }

    /// <summary>Opens a MudSelect and picks the option whose text contains <paramref name="text"/>.</summary>
    private static async Task ChooseAsync(IPage page, ILocator select, string text)
    {
        await select.Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = text }).First.ClickAsync();
    }

    private Task<int> CustomerIdAsync(PerCallCustomer customer) =>
        Fixture.Portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers
            .Where(c => c.ExternalId == customer.ExternalId).Select(c => c.Id).SingleAsync());

    private Task<Invoice> DraftAsync(PerCallCustomer customer) =>
        Fixture.Portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking().Include(i => i.Lines)
            .SingleAsync(i => i.SubscriptionId == customer.SubscriptionId && i.Status == InvoiceStatuses.Draft));

    /// <summary>Closes and finalizes the customer's current period as the invoicer does once it and its grace period are over; answers the invoice.</summary>
    private async Task<long> FinalizeThisPeriodAsync(PerCallCustomer customer)
    {
        var grace = Fixture.Portal.Services.GetRequiredService<IOptions<InvoicingOptions>>().Value.GracePeriod;
        await Fixture.Portal.WithServicesAsync(services => ActivatorUtilities.CreateInstance<InvoiceRunner>(services, new TestClock(customer.PeriodEnd + grace + TimeSpan.FromMinutes(1))).RunOnceAsync());
        return await Fixture.Portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices
            .Where(i => i.SubscriptionId == customer.SubscriptionId && i.Status == InvoiceStatuses.Finalized).Select(i => i.Id).SingleAsync());
    }

    /// <summary>A USD plan of its own (code answered) with a flat fee and a per-call price on <c>api_calls</c>.</summary>
    private Task<string> AddPlanAsync(string name, long flatFeeMinorUnits, string unitAmount) =>
        Fixture.Portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var code = $"plus-{Guid.NewGuid():N}"[..17];
            db.PlanVersions.Add(new PlanVersion
            {
                Plan = new Plan { Code = code, CreatedAt = DateTime.UtcNow },
                Version = 1,
                Name = name,
                Currency = "USD",
                FlatFeeMinorUnits = flatFeeMinorUnits,
                ChargesJson = PlanTerms.WriteCharges(PlanTerms.ParseCharges($$$"""[{"meter":"api_calls","model":"standard","properties":{"unitAmount":"{{{unitAmount}}}"}}]""")),
                CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            return code;
        });

    private static decimal Amount(string text) => decimal.Parse(AmountPattern().Match(text).Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d[\d,]*\.\d\d")]
    private static partial Regex AmountPattern();
}
