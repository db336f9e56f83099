using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/invoices/{id}: the invoice as a document, and the corrections its status allows (finalize, void, credit note), each confirmed first.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class InvoiceDetailTests(ComponentHost host) : BillingPageTest(host)
{
    private const string Breakdown = """{"amount":"102.5","breakdown":[{"kind":"range","fromValue":"0","toValue":"10","units":"10","perUnitAmount":"0.0125","flatAmount":"2","amount":"2.125"},{"kind":"range","fromValue":"10","toValue":null,"units":"11","perUnitAmount":"9.125","flatAmount":"0","amount":"100.375"}]}""";

    private IRenderedComponent<InvoiceDetail> RenderPage(long invoiceId)
    {
        SignInAsAdmin();
        RenderProviders();
        var page = Render<InvoiceDetail>(parameters => parameters.Add(p => p.InvoiceId, invoiceId));
        page.WaitForElement("[data-testid=invoice]");
        return page;
    }

    [Fact]
    public async Task TheDetailShowsLinesWithTheirBreakdownAndTheTotals()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, taxRate: 0.1m, creditsApplied: 500, lines:
        [
            new TestLine("API calls, region eu", 10_250, Meter: "api_calls", Quantity: 21m, BreakdownJson: Breakdown),
            new TestLine("Flat fee, Pro", 4_900, Kind: "flat_fee"),
        ]);

        var page = RenderPage(invoice.Id);

        Assert.Equal($"Invoice {invoice.Number}", Text(page.Find("h1")));
        var lines = Text(page.Find("[data-testid=invoice-lines]"));
        Assert.Contains("API calls, region eu How this amount was calculated 21 102.50 USD", lines);
        Assert.Contains("Subtotal 151.50 USD Credits applied −5.00 USD Tax (10 %) 14.65 USD Total 161.15 USD", lines);
        Assert.Empty(page.FindAll("[data-testid=breakdown]"));
        // The events page is the organisation's own; the console does not link to it.
        Assert.Empty(page.FindAll("[data-testid=line-events]"));

        page.Find("[data-testid=breakdown-toggle]").Click();

        var breakdown = Text(page.Find("[data-testid=breakdown]"));
        Assert.Contains("range 0 10 10 0.0125 2 2.125", breakdown);
        Assert.Contains("range 10 ∞ 11 9.125 0 100.375", breakdown);
        Assert.NotNull(page.Find("[data-testid=void]"));
        Assert.NotNull(page.Find("[data-testid=issue-credit-note]"));
        Assert.Empty(page.FindAll("[data-testid=finalize]"));
    }

    [Fact]
    public async Task AnAdminVoidsAnInvoiceAfterConfirmingAndTheCreditItUsedComesBack()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, creditsApplied: 1_000);
        var grant = await CreateGrantUsedByAsync(customer.Id, 1_000, invoice.Id);
        var page = RenderPage(invoice.Id);

        Type(page, "void-reason", "Sent to the wrong customer");
        page.Find("[data-testid=void]").Click();
        Assert.Contains("A void cannot be undone.", DialogText());
        Answer("Void invoice");

        page.WaitForAssertion(() => Assert.Contains("Void. This invoice is cancelled and nothing is owed on it. Reason: Sent to the wrong customer", Text(page)));
        Assert.Contains($"Invoice {invoice.Number} is void.", SnackbarText());
        Assert.Empty(page.FindAll("[data-testid=void]"));
        Assert.Contains("void", Text(page.Find("[data-testid=cannot-void]")), StringComparison.OrdinalIgnoreCase);
        var stored = await InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.Void, "Sent to the wrong customer"), (stored.Status, stored.VoidReason));
        Assert.Equal(1_000L, await WithDbAsync(db => db.CreditGrants.Where(g => g.Id == grant.Id).Select(g => g.Remaining).SingleAsync()));
        Assert.True(await WithDbAsync(db => db.CreditLedger.AnyAsync(e => e.CustomerId == customer.Id && e.Kind == CreditMovements.Restored && e.Amount == 1_000)));
        var audit = await WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.Subject == $"invoice:{invoice.Number}"));
        Assert.Equal(("invoice.voided", DemoSettings.AdminEmail), (audit.Action, audit.Actor));
    }

    [Fact]
    public async Task CancellingTheVoidDialogChangesNothing()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id);
        var page = RenderPage(invoice.Id);

        Type(page, "void-reason", "Changed my mind");
        page.Find("[data-testid=void]").Click();
        Answer("Cancel");

        Assert.Equal(InvoiceStatuses.Finalized, (await InvoiceAsync(invoice.Id)).Status);
        Assert.NotNull(page.Find("[data-testid=void]"));
        Assert.Equal((0, 0, 0, 0), await CountsAsync(customer.Id));
    }

    [Fact]
    public async Task AVoidWithoutAReasonSaysSoAtTheReasonAndChangesNothing()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id);
        var page = RenderPage(invoice.Id);

        Type(page, "void-reason", "  ");
        page.Find("[data-testid=void]").Click();
        Answer("Void invoice");

        page.WaitForAssertion(() => Assert.Contains("reason is required", ErrorAt(page, "void-reason")));
        Assert.Equal(InvoiceStatuses.Finalized, (await InvoiceAsync(invoice.Id)).Status);
    }

    [Fact]
    public async Task AnAdminIssuesACreditNoteThatShowsOnTheInvoiceAndBecomesCredit()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, [new TestLine("API calls", 10_000)]);
        var page = RenderPage(invoice.Id);

        Type(page, "credit-amount", "12.34");
        Type(page, "credit-reason", "Outage on 3 September");
        page.Find("[data-testid=issue-credit-note]").Click();
        Assert.Contains("12.34 USD becomes credit", DialogText());
        Answer("Issue credit note");

        page.WaitForElement("[data-testid=credit-notes]");
        var note = await WithDbAsync(db => db.CreditNotes.AsNoTracking().SingleAsync(n => n.InvoiceId == invoice.Id));
        page.WaitForAssertion(() => Assert.Contains($"{note.Number} · Outage on 3 September", Text(page.Find("[data-testid=credit-notes]"))));
        Assert.Contains("12.34 USD", Text(page.Find("[data-testid=credit-notes]")));
        Assert.Contains($"Credit note {note.Number} issued for 12.34 USD.", SnackbarText());
        Assert.Contains("Up to 87.66 USD can still be credited.", Text(page));
        Assert.Equal(1_234L, await WithDbAsync(db => db.CreditGrants.Where(g => g.Id == note.CreditGrantId).Select(g => g.Remaining).SingleAsync()));
    }

    [Fact]
    public async Task AnIssuedInvoiceWithACreditNoteIsNotOfferedAVoidAsWell()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);
        var page = RenderPage(invoice.Id);
        Assert.NotNull(page.Find("[data-testid=void]"));

        Type(page, "credit-amount", "10");
        Type(page, "credit-reason", "Part refund");
        page.Find("[data-testid=issue-credit-note]").Click();
        Answer("Issue credit note");

        // Voiding it too would refund the customer twice: the page says why instead of offering it.
        page.WaitForAssertion(() => Assert.Contains("already has a credit note", Text(page.Find("[data-testid=cannot-void]"))));
        Assert.Empty(page.FindAll("[data-testid=void]"));
        Assert.NotNull(page.Find("[data-testid=issue-credit-note]"));
    }

    [Fact]
    public async Task CancellingTheCreditNoteDialogStoresNothing()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);
        var page = RenderPage(invoice.Id);

        Type(page, "credit-amount", "5");
        Type(page, "credit-reason", "Goodwill");
        page.Find("[data-testid=issue-credit-note]").Click();
        Answer("Cancel");

        Assert.Equal((0, 0, 0, 0), await CountsAsync(customer.Id));
        Assert.Empty(page.FindAll("[data-testid=credit-notes]"));
    }

    [Fact]
    public async Task ACreditNoteOverWhatIsLeftSaysSoAtTheAmountAndStoresNothing()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);
        var page = RenderPage(invoice.Id);

        Type(page, "credit-amount", "1.001");
        Type(page, "credit-reason", "");
        page.Find("[data-testid=issue-credit-note]").Click();
        Answer("Issue credit note");

        page.WaitForAssertion(() => Assert.Contains("at most 2 decimals in USD", ErrorAt(page, "credit-amount")));
        Assert.Contains("reason is required", ErrorAt(page, "credit-reason"));
        Assert.Equal((0, 0, 0, 0), await CountsAsync(customer.Id));

        Type(page, "credit-amount", "100.01");
        Type(page, "credit-reason", "Too generous");
        page.Find("[data-testid=issue-credit-note]").Click();
        Answer("Issue credit note");

        page.WaitForAssertion(() => Assert.Contains("amount can be at most 100.00 USD", ErrorAt(page, "credit-amount")));
        Assert.Equal("", ErrorAt(page, "credit-reason"));
        Assert.Equal((0, 0, 0, 0), await CountsAsync(customer.Id));
    }

    [Fact]
    public async Task ADraftOffersOnlyFinalizingAndSaysWhenItBecomesFinal()
    {
        var customer = await CreateCustomerAsync();
        var draft = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft);

        var page = RenderPage(draft.Id);

        Assert.Equal("Draft invoice", Text(page.Find("h1")));
        Assert.Contains("Draft, not final", Text(page));
        Assert.Contains("Drafts are recomputed until they are finalized", Text(page.Find("[data-testid=finalize-panel]")));
        Assert.Empty(page.FindAll("[data-testid=void]"));
        Assert.Empty(page.FindAll("[data-testid=issue-credit-note]"));
    }

    [Fact]
    public async Task AnAdminFinalizesADraftAfterConfirmingAndTheButtonIsGoneAfterwards()
    {
        var draft = await CreateRealDraftAsync();
        var page = RenderPage(draft.Id);

        page.Find("[data-testid=finalize]").Click();
        Assert.Contains("is recomputed from the usage as it stands", DialogText());
        Answer("Finalize now");

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=finalize]")));
        var invoice = await InvoiceAsync(draft.Id);
        Assert.Equal(InvoiceStatuses.Finalized, invoice.Status);
        Assert.Equal($"Invoice {invoice.Number}", Text(page.Find("h1")));
        Assert.Contains($"Invoice {invoice.Number} is finalized.", SnackbarText());
        Assert.NotNull(page.Find("[data-testid=void]"));
        var audit = await WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.Subject == $"invoice:{invoice.Number}"));
        Assert.Equal(("invoice.finalized", DemoSettings.AdminEmail), (audit.Action, audit.Actor));
    }

    [Fact]
    public async Task CancellingTheFinalizeDialogLeavesTheDraft()
    {
        var customer = await CreateCustomerAsync();
        var draft = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft);
        var page = RenderPage(draft.Id);

        page.Find("[data-testid=finalize]").Click();
        Answer("Cancel");

        Assert.Equal(InvoiceStatuses.Draft, (await InvoiceAsync(draft.Id)).Status);
        Assert.NotNull(page.Find("[data-testid=finalize]"));
    }

    [Fact]
    public async Task AVoidInvoiceOffersNoCorrectionsAndSaysWhy()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Void);

        var page = RenderPage(invoice.Id);

        Assert.Empty(page.FindAll("[data-testid=void], [data-testid=issue-credit-note], [data-testid=finalize]"));
        Assert.NotEqual("", Text(page.Find("[data-testid=cannot-void]")));
        Assert.NotEqual("", Text(page.Find("[data-testid=cannot-credit]")));
    }

    [Fact]
    public void AnUnknownInvoiceIsNotFound()
    {
        SignInAsAdmin();

        Render<InvoiceDetail>(parameters => parameters.Add(p => p.InvoiceId, 987_654_321L));

        Assert.True(NotFoundCalled);
    }
}

/// <summary>/admin/invoices/{id}'s payment panel: where the invoice stands with the provider, its pushes, and pushing a failed one again.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class InvoicePaymentPanelTests(ComponentHost host) : BillingPageTest(host)
{
    [Fact]
    public async Task AFailedPushIsListedAndPushedAgainFromThePanel()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id);
        await WithDbAsync(async db =>
        {
            await db.Invoices.Where(i => i.Id == invoice.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, Data.Payments.PaymentStates.PushFailed));
            db.PaymentAttempts.Add(new Data.Payments.PaymentAttempt { InvoiceId = invoice.Id, At = DateTime.UtcNow, Provider = "stripe", Outcome = "failed", Detail = "No such currency: xyz.", RequestedBy = "finalization" });
            return await db.SaveChangesAsync();
        });
        SignInAsAdmin();
        RenderProviders();
        var page = Render<InvoiceDetail>(parameters => parameters.Add(p => p.InvoiceId, invoice.Id));
        page.WaitForElement("[data-testid=payment-panel]");

        Assert.Equal("Not sent for payment yet", Text(page.Find("[data-testid=admin-payment-state]")));
        Assert.Contains("failed", Text(page.Find("[data-testid=push-history]")));
        Assert.Contains("No such currency: xyz.", Text(page.Find("[data-testid=push-history]")));
        Assert.Equal("Not sent for payment yet", Text(page.Find("[data-testid=payment-state]")));

        page.Find("[data-testid=retry-push]").Click();

        page.WaitForAssertion(() => Assert.Equal("Being sent for payment", Text(page.Find("[data-testid=admin-payment-state]"))));
        Assert.Empty(page.FindAll("[data-testid=retry-push]"));
        Assert.Contains("The push is queued again.", SnackbarText());
        Assert.True(await WithDbAsync(db => db.OutboxMessages.AnyAsync(m => m.Kind == Domain.Payments.PaymentPushes.Kind && m.Payload.Contains($"\"InvoiceId\":{invoice.Id},"))));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "invoice.push_retried" && a.Subject == $"invoice:{invoice.Number}" && a.Actor == DemoSettings.AdminEmail)));
    }

    [Fact]
    public async Task TheCustomersInvoiceOffersPayNowWhenPaymentFailed()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, status: InvoiceStatuses.PaymentFailed);
        await WithDbAsync(db => db.Invoices.Where(i => i.Id == invoice.Id).ExecuteUpdateAsync(set => set
            .SetProperty(i => i.PaymentState, Data.Payments.PaymentStates.Failed)
            .SetProperty(i => i.PaymentUrl, "https://invoice.stripe.com/i/acct_1/test_pay")));
        SignInAsAdmin();
        RenderProviders();
        var page = Render<InvoiceDetail>(parameters => parameters.Add(p => p.InvoiceId, invoice.Id));
        page.WaitForElement("[data-testid=payment-failed-notice]");

        Assert.Equal("Payment failed", Text(page.Find("[data-testid=payment-state]")));
        Assert.Equal("https://invoice.stripe.com/i/acct_1/test_pay", page.Find("[data-testid=pay-now]").GetAttribute("href"));
    }
}
