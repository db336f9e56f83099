using System.Net;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Tenancy;

/// <summary>A customer user sees their own organisation's invoices and credit only; the admin invoice and credit pages are closed to them.</summary>
public sealed class InvoiceIsolationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private Task<Customer> DemoCustomerAsync(string externalIdOrName) =>
        portal.WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalIdOrName || c.Name == externalIdOrName));

    private async Task<PortalClient> SignInAsync(string email)
    {
        var client = portal.CreatePortalClient();
        await client.SignInAsync(email, DemoSettings.CustomerPassword);
        return client;
    }

    [Fact]
    public async Task TheInvoicesPageListsOnlyTheOrganisationsOwnInvoicesAndCredit()
    {
        var acme = await DemoCustomerAsync(DemoSettings.CustomerExternalId);
        var globex = await DemoCustomerAsync(DemoSettings.OtherCustomerName);
        var acmeInvoice = await portal.CreateInvoiceAsync(acme.Id, periodStart: new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), currency: acme.Currency);
        var globexInvoice = await portal.CreateInvoiceAsync(globex.Id, periodStart: new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), currency: globex.Currency);
        await portal.CreateGrantAsync(acme.Id, 777_777, currency: acme.Currency);
        using var client = await SignInAsync(DemoSettings.OtherOwnerEmail);

        var text = CreditTestData.ReadText(await client.GetPageAsync("/app/invoices"));

        Assert.Contains(globexInvoice.Number!, text);
        Assert.DoesNotContain(acmeInvoice.Number!, text);
        Assert.DoesNotContain("7,777.77", text);
        Assert.DoesNotContain("7.777,77", text);
    }

    [Fact]
    public async Task AnotherOrganisationsInvoiceAnswersExactlyLikeOneThatDoesNotExist()
    {
        var acme = await DemoCustomerAsync(DemoSettings.CustomerExternalId);
        var acmeInvoice = await portal.CreateInvoiceAsync(acme.Id, periodStart: new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc), currency: acme.Currency);
        using var globexOwner = await SignInAsync(DemoSettings.OtherOwnerEmail);
        using var acmeMember = await SignInAsync(DemoSettings.MemberEmail);

        var foreign = await globexOwner.GetAsync($"/app/invoices/{acmeInvoice.Id}");
        var unknown = await globexOwner.GetAsync("/app/invoices/987654321");
        var own = await acmeMember.GetAsync($"/app/invoices/{acmeInvoice.Id}");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(CreditTestData.ReadText(await unknown.Content.ReadAsStringAsync()), CreditTestData.ReadText(await foreign.Content.ReadAsStringAsync()));
        Assert.DoesNotContain(acmeInvoice.Number!, await foreign.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains($"Invoice {acmeInvoice.Number}", CreditTestData.ReadText(await own.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ACustomerSeesTheUpcomingDraftMarkedAsNotFinal()
    {
        var acme = await DemoCustomerAsync(DemoSettings.CustomerExternalId);
        var draft = await portal.CreateInvoiceAsync(acme.Id, InvoiceStatuses.Draft, [new TestLine("Draft line for the portal", 4_321)],
            periodStart: new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc), currency: acme.Currency);
        using var owner = await SignInAsync(DemoSettings.CustomerEmail);

        var list = await owner.GetPageAsync("/app/invoices");
        var detail = CreditTestData.ReadText(await owner.GetPageAsync($"/app/invoices/{draft.Id}"));

        Assert.Contains($"href=\"app/invoices/{draft.Id}\"", list, StringComparison.Ordinal);
        Assert.Contains("Upcoming invoice", CreditTestData.ReadText(list));
        Assert.Contains("Draft, not final", detail);
        Assert.Contains("The amounts below may change until then.", detail);
        Assert.Contains("Draft line for the portal", detail);
    }

    [Fact]
    public async Task MoneyAndDatesFollowTheOrganisationsLocaleAndTimeZone()
    {
        var globex = await DemoCustomerAsync(DemoSettings.OtherCustomerName);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(globex.TimeZone);
        var localMidnight = TimeZoneInfo.ConvertTimeToUtc(new DateTime(2025, 6, 1), zone);
        var invoice = await portal.CreateInvoiceAsync(globex.Id, lines: [new TestLine("Speicher", 123_450)], periodStart: localMidnight, currency: globex.Currency);
        using var owner = await SignInAsync(DemoSettings.OtherOwnerEmail);

        var text = CreditTestData.ReadText(await owner.GetPageAsync($"/app/invoices/{invoice.Id}"));

        // Globex is de-DE in Europe/Berlin: a period starting at Berlin midnight on 1 June reads as June, to its last day.
        Assert.Equal("de-DE", globex.Locale);
        Assert.Contains("1 Juni – 30 Juni 2025", text);
        Assert.Contains("1.234,50 EUR", text);
    }

    [Fact]
    public async Task TheAdminInvoiceAndCreditPagesAndFormsAreClosedToCustomerUsers()
    {
        var acme = await DemoCustomerAsync(DemoSettings.CustomerExternalId);
        var invoice = await portal.CreateInvoiceAsync(acme.Id, periodStart: new DateTime(2025, 4, 1, 0, 0, 0, DateTimeKind.Utc), currency: acme.Currency);
        using var owner = await SignInAsync(DemoSettings.CustomerEmail);
        // A valid antiforgery token of the owner, from a static form (the layout's sign-out form renders only when its menu opens).
        var token = PortalClient.FindForm(await owner.GetPageAsync("/Account/Manage/ChangePassword"), "change-password")!.HiddenFields;

        var pages = new[] { "/admin/invoices", $"/admin/invoices/{invoice.Id}", $"/admin/customers/{acme.Id}/credits" };
        var voided = await owner.PostFormAsync($"/admin/invoices/{invoice.Id}", new Dictionary<string, string>(token) { ["_handler"] = "void-invoice" },
            new Dictionary<string, string> { ["VoidInput.Reason"] = "I would rather not pay" });
        var granted = await owner.PostFormAsync($"/admin/customers/{acme.Id}/credits", new Dictionary<string, string>(token) { ["_handler"] = "grant-credit" },
            new Dictionary<string, string> { ["Input.Amount"] = "1000", ["Input.Reason"] = "Free money" });

        foreach (var page in pages)
        {
            var response = await owner.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath());
        }

        Assert.NotEqual(HttpStatusCode.OK, voided.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal(InvoiceStatuses.Finalized, (await portal.InvoiceAsync(invoice.Id)).Status);
        Assert.False(await portal.WithDbAsync(db => db.CreditGrants.AnyAsync(g => g.Reason == "Free money")));
    }
}
