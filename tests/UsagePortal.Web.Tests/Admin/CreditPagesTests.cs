using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Admin;

public sealed class CreditPagesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Form = "grant-credit";

    private async Task<PortalClient> SignInAsync()
    {
        var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        return admin;
    }

    private static Dictionary<string, string> Fields(string amount, string reason, string usableThrough = "") => new()
    {
        ["Input.Amount"] = amount,
        ["Input.Reason"] = reason,
        ["Input.UsableThrough"] = usableThrough,
    };

    [Fact]
    public async Task AnAdminGrantsCreditThatShowsInTheBalanceGrantsAndLedger()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync("EUR", timeZone: "Europe/Berlin");
        var page = $"/admin/customers/{customer.Id}/credits";
        var lastDay = DateTime.UtcNow.AddDays(40).Date;

        var response = await admin.SubmitFormAsync(page, Form, Fields("1250.5", "Migration from the old system", lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        var text = CreditTestData.ReadText(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Granted 1,250.50 EUR, usable until", text);
        Assert.Contains("Available credit 1,250.50 EUR", text);
        Assert.Contains("Migration from the old system 1,250.50 EUR 1,250.50 EUR", text);
        Assert.Contains("Granted #", text);
        var grant = await portal.WithDbAsync(db => db.CreditGrants.SingleAsync(g => g.CustomerId == customer.Id));
        // Usable through the chosen day in the customer's zone: it expires at the midnight after it, Berlin time.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(lastDay.AddDays(1), DateTimeKind.Unspecified), berlin), grant.ExpiresAt);
        Assert.Equal((125_050L, DemoSettings.AdminEmail), (grant.Remaining, grant.CreatedBy));
        Assert.Equal(CreditMovements.Granted, Assert.Single(await portal.LedgerAsync(customer.Id)).Kind);
    }

    [Fact]
    public async Task EveryBadFieldIsNamedNextToItsInputAndNothingIsStored()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var page = $"/admin/customers/{customer.Id}/credits";

        var response = await admin.SubmitFormAsync(page, Form, Fields("0.001", "", DateTime.UtcNow.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("amount must have at most 2 decimals in USD.", InvoicePagesTests.ErrorsOf(html, "grant-amount"));
        Assert.Contains("reason is required", InvoicePagesTests.ErrorsOf(html, "grant-reason"));
        Assert.Contains("The last day must be today or later.", InvoicePagesTests.ErrorsOf(html, "grant-expiresAt"));
        Assert.Contains("""id="grant-amount" name="Input.Amount" value="0.001" inputmode="decimal" autocomplete="off" class="form-control is-invalid""", html);
        Assert.DoesNotContain("data-testid=\"credit-granted\"", html, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Theory]
    [InlineData("0", "", "greater than zero")]
    [InlineData("-10", "", "greater than zero")]
    [InlineData("ten", "", "decimal number")]
    [InlineData("10", "31/12/2030", "Give the last day as a date")]
    public async Task AnAmountOrDateThatCannotBeGrantedIsRefused(string amount, string usableThrough, string says)
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();

        var response = await admin.SubmitFormAsync($"/admin/customers/{customer.Id}/credits", Form, Fields(amount, "Goodwill", usableThrough));

        Assert.Contains(says, CreditTestData.ReadText(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task AnEmptyCustomerSaysSoAndTheCustomerPageLinksToItsCredits()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();

        var text = CreditTestData.ReadText(await admin.GetPageAsync($"/admin/customers/{customer.Id}/credits"));
        var detail = await admin.GetPageAsync($"/admin/customers/{customer.Id}");

        Assert.Contains("Available credit 0.00 USD", text);
        Assert.Contains("No credit granted yet.", text);
        Assert.Contains("No movements yet.", text);
        Assert.Contains($"href=\"admin/customers/{customer.Id}/credits\"", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLedgerLinksTheInvoiceThatUsedCredit()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, creditsApplied: 300);
        var grant = await portal.CreateGrantAsync(customer.Id, 1_000);
        await portal.ApplyCreditAsync(grant.Id, invoice.Id, 300);

        var html = await admin.GetPageAsync($"/admin/customers/{customer.Id}/credits");

        Assert.Contains($"<a href=\"admin/invoices/{invoice.Id}\">{invoice.Number}</a>", html, StringComparison.Ordinal);
        Assert.Contains("Used by invoice", CreditTestData.ReadText(html));
        Assert.Contains("-3.00 USD 7.00 USD", CreditTestData.ReadText(html));
        Assert.Contains("Available credit 7.00 USD", CreditTestData.ReadText(html));
    }

    [Fact]
    public async Task AnUnknownCustomerAnswersNotFound()
    {
        using var admin = await SignInAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/customers/987654/credits")).StatusCode);
    }
}
