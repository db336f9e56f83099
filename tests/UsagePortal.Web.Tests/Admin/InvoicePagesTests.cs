using System.Net;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Admin;

public sealed class InvoicePagesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Breakdown = """{"amount":"102.5","breakdown":[{"kind":"range","fromValue":"0","toValue":"10","units":"10","perUnitAmount":"0.0125","flatAmount":"2","amount":"2.125"},{"kind":"range","fromValue":"10","toValue":null,"units":"11","perUnitAmount":"9.125","flatAmount":"0","amount":"100.375"}]}""";

    private async Task<PortalClient> SignInAsync()
    {
        var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        return admin;
    }

    /// <summary>The text of the errors shown under one input (its error block, up to where the block closes).</summary>
    internal static string ErrorsOf(string html, string id)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, $@"id=""{id}-errors""[^>]*>(?<errors>.*?)</div>\s*</div>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(match.Success, $"No errors are shown next to {id}.");
        return CreditTestData.ReadText(match.Groups["errors"].Value + "</div>");
    }

    [Fact]
    public async Task TheListShowsACustomersInvoicesAndFiltersThemByStatus()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var open = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 123_456)]);
        var paid = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, periodStart: new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));

        var all = CreditTestData.ReadText(await admin.GetPageAsync($"/admin/invoices?customer={customer.Id}"));
        var onlyPaid = CreditTestData.ReadText(await admin.GetPageAsync($"/admin/invoices?customer={customer.Id}&status=paid"));
        var none = CreditTestData.ReadText(await admin.GetPageAsync($"/admin/invoices?customer={customer.Id}&status=void"));

        Assert.Contains($"{open.Number} {customer.Name} 01/09/2026 – 30/09/2026 Finalized 1,234.56 USD", all);
        Assert.Contains($"{paid.Number} {customer.Name}", all);
        Assert.True(all.IndexOf(open.Number!, StringComparison.Ordinal) < all.IndexOf(paid.Number!, StringComparison.Ordinal), "The newest period comes first.");
        Assert.Contains(paid.Number!, onlyPaid);
        Assert.DoesNotContain(open.Number!, onlyPaid);
        Assert.Contains("No invoices match this filter.", none);
    }

    [Fact]
    public async Task TheDetailShowsLinesWithTheirBreakdownAndTheTotals()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, taxRate: 0.1m, creditsApplied: 500, lines:
        [
            new TestLine("API calls, region eu", 10_250, Meter: "api_calls", GroupKey: """{"region":"eu"}""", Quantity: 21m, BreakdownJson: Breakdown),
            new TestLine("Flat fee, Pro", 4_900, Kind: "flat_fee"),
        ]);

        var html = await admin.GetPageAsync($"/admin/invoices/{invoice.Id}");
        var text = CreditTestData.ReadText(html);

        Assert.Contains($"Invoice {invoice.Number} Finalized", text);
        Assert.Contains("API calls, region eu How this amount was calculated", text);
        Assert.Contains("<details", html, StringComparison.Ordinal);
        Assert.Contains("range 0 10 10 0.0125 2 2.125", text);
        Assert.Contains("range 10 ∞ 11 9.125 0 100.375", text);
        Assert.Contains("21 102.50 USD", text);
        Assert.Contains("Subtotal 151.50 USD Credits applied −5.00 USD Tax (10 %) 14.65 USD Total 161.15 USD", text);
        Assert.NotNull(PortalClient.FindForm(html, "void-invoice"));
        Assert.NotNull(PortalClient.FindForm(html, "credit-note"));
    }

    [Fact]
    public async Task AnAdminVoidsAnInvoiceAndTheCreditItUsedComesBack()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, creditsApplied: 1_000);
        var grant = await portal.CreateGrantAsync(customer.Id, 1_000);
        await portal.ApplyCreditAsync(grant.Id, invoice.Id, 1_000);

        var response = await admin.SubmitFormAsync($"/admin/invoices/{invoice.Id}", "void-invoice", new Dictionary<string, string> { ["VoidInput.Reason"] = "Sent to the wrong customer" });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"Invoice {invoice.Number} is void.", CreditTestData.ReadText(html));
        Assert.Contains("Void. This invoice is cancelled and nothing is owed on it. Reason: Sent to the wrong customer", CreditTestData.ReadText(html));
        Assert.Null(PortalClient.FindForm(html, "void-invoice"));
        var stored = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.Void, "Sent to the wrong customer"), (stored.Status, stored.VoidReason));
        Assert.Equal(1_000L, (await portal.GrantAsync(grant.Id)).Remaining);
        Assert.Contains(await portal.LedgerAsync(customer.Id), e => e.Kind == CreditMovements.Restored && e.Amount == 1_000);
        var audit = await portal.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.Subject == $"invoice:{invoice.Number}"));
        Assert.Equal(DemoSettings.AdminEmail, audit.Actor);
    }

    [Fact]
    public async Task AVoidWithoutAReasonSaysSoNextToTheReasonAndChangesNothing()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        var response = await admin.SubmitFormAsync($"/admin/invoices/{invoice.Id}", "void-invoice", new Dictionary<string, string> { ["VoidInput.Reason"] = "  " });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("reason is required", ErrorsOf(html, "void-reason"));
        Assert.Contains("""id="void-reason" name="VoidInput.Reason" rows="2" maxlength="500" class="form-control is-invalid""", html);
        Assert.Equal(InvoiceStatuses.Finalized, (await portal.InvoiceAsync(invoice.Id)).Status);
    }

    [Fact]
    public async Task AnAdminIssuesACreditNoteThatShowsOnTheInvoiceAndBecomesCredit()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, [new TestLine("API calls", 10_000)]);

        var response = await admin.SubmitFormAsync($"/admin/invoices/{invoice.Id}", "credit-note", new Dictionary<string, string>
        {
            ["CreditInput.Amount"] = "12.34",
            ["CreditInput.Reason"] = "Outage on 3 September",
        });
        var text = CreditTestData.ReadText(await response.Content.ReadAsStringAsync());

        var note = await portal.WithDbAsync(db => db.CreditNotes.AsNoTracking().SingleAsync(n => n.InvoiceId == invoice.Id));
        Assert.Contains($"Credit note {note.Number} issued for 12.34 USD.", text);
        Assert.Contains($"Credit notes", text);
        Assert.Contains($"{note.Number}", text);
        Assert.Contains("Outage on 3 September 12.34 USD", text);
        Assert.Contains("Up to 87.66 USD can still be credited.", text);
        Assert.Equal(1_234L, (await portal.GrantAsync(note.CreditGrantId!.Value)).Remaining);
    }

    [Fact]
    public async Task ACreditNoteOverWhatIsLeftSaysSoNextToTheAmountAndStoresNothing()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);

        var response = await admin.SubmitFormAsync($"/admin/invoices/{invoice.Id}", "credit-note", new Dictionary<string, string>
        {
            ["CreditInput.Amount"] = "1.001",
            ["CreditInput.Reason"] = "",
        });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("at most 2 decimals in USD", ErrorsOf(html, "credit-amount"));
        Assert.Contains("reason is required", ErrorsOf(html, "credit-reason"));
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));

        var over = await admin.SubmitFormAsync($"/admin/invoices/{invoice.Id}", "credit-note", new Dictionary<string, string>
        {
            ["CreditInput.Amount"] = "100.01",
            ["CreditInput.Reason"] = "Too generous",
        });

        Assert.Contains("amount can be at most 100.00 USD", ErrorsOf(await over.Content.ReadAsStringAsync(), "credit-amount"));
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task ADraftOffersNoCorrectionsAndSaysWhenItBecomesFinal()
    {
        using var admin = await SignInAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var draft = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft);

        var html = await admin.GetPageAsync($"/admin/invoices/{draft.Id}");

        Assert.Contains("Draft invoice Draft, not final", CreditTestData.ReadText(html));
        Assert.Contains("Drafts are recomputed until they are finalized", CreditTestData.ReadText(html));
        Assert.Null(PortalClient.FindForm(html, "void-invoice"));
        Assert.Null(PortalClient.FindForm(html, "credit-note"));
    }

    [Fact]
    public async Task AnUnknownInvoiceAnswersNotFound()
    {
        using var admin = await SignInAsync();

        var response = await admin.GetAsync("/admin/invoices/987654321");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
