using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/customers/{id}/credits: the balance, grants and ledger, and granting credit once the admin confirms.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CustomerCreditsTests(ComponentHost host) : PeopleTestBase(host)
{
    private static string Day(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private IRenderedComponent<CustomerCredits> RenderPage(int customerId)
    {
        RenderProviders();
        SignInAsAdmin();
        return Render<CustomerCredits>(p => p.Add(c => c.Id, customerId));
    }

    private static IRenderedComponent<CustomerCredits> Fill(IRenderedComponent<CustomerCredits> page, string amount, string reason, string usableThrough)
    {
        page.WaitForElement("input[data-testid=grant-amount]").Change(amount);
        page.Find("textarea[data-testid=grant-reason]").Change(reason);
        page.Find("input[data-testid=grant-expiresAt]").Change(usableThrough);
        page.Find("[data-testid=grant-form] form").Submit();
        return page;
    }

    /// <summary>How many grants, ledger entries and audit entries a customer has: "nothing stored" compares these.</summary>
    private Task<(int Grants, int Ledger, int Audit)> CountsAsync(int customerId) =>
        WithDbAsync(async db => (
            await db.CreditGrants.CountAsync(g => g.CustomerId == customerId),
            await db.CreditLedger.CountAsync(e => e.CustomerId == customerId),
            await db.AuditEntries.CountAsync(a => a.CustomerId == customerId)));

    [Fact]
    public async Task AnAdminGrantsCreditOnceConfirmedAndItShowsInTheBalanceGrantsAndLedger()
    {
        var customer = await CreateCustomerAsync("EUR", timeZone: "Europe/Berlin");
        var lastDay = DateTime.UtcNow.AddDays(40).Date;
        var page = RenderPage(customer.Id);

        Fill(page, "1250.5", "Migration from the old system", Day(lastDay));

        Assert.Contains("Grant 1,250.50 EUR?", DialogText().Replace('\u00a0', ' '), StringComparison.Ordinal);
        Answer("Grant credit");

        Snackbars.WaitForAssertion(() => Assert.Contains("Granted 1,250.50 EUR, usable until", SnackbarText().Replace('\u00a0', ' '), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Equal("1,250.50 EUR", page.Find("[data-testid=credit-balance]").TextContent.Trim().Replace('\u00a0', ' ')));
        var grantRow = page.Find("[data-testid=grants] tbody tr").TextContent.Replace('\u00a0', ' ');
        Assert.Contains("Migration from the old system", grantRow, StringComparison.Ordinal);
        Assert.Contains("1,250.50 EUR", grantRow, StringComparison.Ordinal);
        var grant = await WithDbAsync(db => db.CreditGrants.AsNoTracking().SingleAsync(g => g.CustomerId == customer.Id));
        var ledgerRow = page.Find("[data-testid=ledger] tbody tr");
        Assert.Equal(CreditMovements.Granted, ledgerRow.QuerySelector("[data-ledger]")!.GetAttribute("data-ledger"));
        Assert.Contains($"#{grant.Id}", ledgerRow.TextContent, StringComparison.Ordinal);
        // Usable through the chosen day in the customer's zone: it expires at the midnight after it, Berlin time.
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(lastDay.AddDays(1), DateTimeKind.Unspecified), berlin), grant.ExpiresAt);
        Assert.Equal((125_050L, DemoSettings.AdminEmail), (grant.Remaining, grant.CreatedBy));
        var ledger = await WithDbAsync(db => db.CreditLedger.AsNoTracking().Where(e => e.CustomerId == customer.Id).ToListAsync());
        Assert.Equal(CreditMovements.Granted, Assert.Single(ledger).Kind);
        // The form is empty for the next grant.
        Assert.Equal("", page.Find("input[data-testid=grant-amount]").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task CancellingTheConfirmationGrantsNothing()
    {
        var customer = await CreateCustomerAsync();
        var page = RenderPage(customer.Id);

        Fill(page, "25", "Goodwill", "");
        Assert.Contains("with no expiry", DialogText(), StringComparison.Ordinal);
        Answer("Cancel");

        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll(".mud-dialog")));
        Assert.Equal((0, 0, 0), await CountsAsync(customer.Id));
        Assert.DoesNotContain("Granted", SnackbarText(), StringComparison.Ordinal);
        Assert.Equal("25", page.Find("input[data-testid=grant-amount]").GetAttribute("value"));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAtItsInputBeforeAnythingIsAsked()
    {
        var customer = await CreateCustomerAsync();
        var page = RenderPage(customer.Id);

        Fill(page, "0.001", "", Day(DateTime.UtcNow.AddDays(-2)));

        page.WaitForAssertion(() => Assert.Contains("amount must have at most 2 decimals in USD.", ErrorAt(page, "grant-amount"), StringComparison.Ordinal));
        Assert.Contains("reason is required", ErrorAt(page, "grant-reason"), StringComparison.Ordinal);
        Assert.Equal("The last day must be today or later.", ErrorAt(page, "grant-expiresAt"));
        Assert.Equal("0.001", page.Find("input[data-testid=grant-amount]").GetAttribute("value"));
        Assert.Empty(Dialogs.FindAll(".mud-dialog"));
        Assert.Equal((0, 0, 0), await CountsAsync(customer.Id));
    }

    [Theory]
    [InlineData("0", "", "grant-amount", "greater than zero")]
    [InlineData("-10", "", "grant-amount", "greater than zero")]
    [InlineData("ten", "", "grant-amount", "decimal number")]
    [InlineData("10", "31/12/2030", "grant-expiresAt", "Give the last day as a date")]
    public async Task AnAmountOrDateThatCannotBeGrantedIsRefusedAtItsField(string amount, string usableThrough, string field, string says)
    {
        var customer = await CreateCustomerAsync();
        var page = RenderPage(customer.Id);

        Fill(page, amount, "Goodwill", usableThrough);

        page.WaitForAssertion(() => Assert.Contains(says, ErrorAt(page, field), StringComparison.Ordinal));
        Assert.Empty(Dialogs.FindAll(".mud-dialog"));
        Assert.Equal((0, 0, 0), await CountsAsync(customer.Id));
    }

    [Fact]
    public async Task AnEmptyCustomerSaysWhatWillAppear()
    {
        var customer = await CreateCustomerAsync();

        var page = RenderPage(customer.Id);

        page.WaitForAssertion(() => Assert.Equal("0.00 USD", page.Find("[data-testid=credit-balance]").TextContent.Trim().Replace('\u00a0', ' ')));
        Assert.Contains("No credit granted yet.", page.Find("[data-testid=grants-empty]").TextContent, StringComparison.Ordinal);
        Assert.Contains("No movements yet.", page.Find("[data-testid=ledger-empty]").TextContent, StringComparison.Ordinal);
        Assert.Single(page.FindAll("h1"));
    }

    [Fact]
    public async Task TheLedgerLinksTheInvoiceThatUsedCredit()
    {
        var customer = await CreateCustomerAsync();
        var (invoiceId, number) = await CreateInvoiceAsync(customer.Id, creditsApplied: 300);
        await WithDbAsync(async db =>
        {
            var grant = new CreditGrant { CustomerId = customer.Id, Currency = "USD", Amount = 1_000, Remaining = 700, Reason = "test grant", CreatedAt = DateTime.UtcNow.AddDays(-60), CreatedBy = "tests" };
            db.CreditGrants.Add(grant);
            await db.SaveChangesAsync();
            db.CreditLedger.Add(new CreditLedgerEntry { CreditGrantId = grant.Id, CustomerId = customer.Id, Kind = CreditMovements.Granted, Amount = 1_000, BalanceAfter = 1_000, At = grant.CreatedAt });
            db.CreditLedger.Add(new CreditLedgerEntry { CreditGrantId = grant.Id, CustomerId = customer.Id, Kind = CreditMovements.Applied, Amount = -300, BalanceAfter = 700, InvoiceId = invoiceId, At = DateTime.UtcNow.AddDays(-1) });
            return await db.SaveChangesAsync();
        });

        var page = RenderPage(customer.Id);

        page.WaitForAssertion(() => Assert.Equal("7.00 USD", page.Find("[data-testid=credit-balance]").TextContent.Trim().Replace('\u00a0', ' ')));
        var used = page.FindAll("[data-testid=ledger] tbody tr").Single(r => r.QuerySelector("[data-ledger]")!.GetAttribute("data-ledger") == CreditMovements.Applied);
        var link = used.QuerySelector("a")!;
        Assert.Equal(($"admin/invoices/{invoiceId}", number), (link.GetAttribute("href"), link.TextContent.Trim()));
        Assert.Contains("Used by invoice", used.TextContent, StringComparison.Ordinal);
        Assert.Contains("-3.00 USD", used.TextContent.Replace('\u00a0', ' '), StringComparison.Ordinal);
        Assert.Contains("7.00 USD", used.TextContent.Replace('\u00a0', ' '), StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownCustomerIsNotFound()
    {
        var page = RenderPage(987_654);

        page.WaitForAssertion(() => Assert.True(NotFoundCalled));
        Assert.Empty(page.FindAll("h1"));
    }

    /// <summary>A finalized invoice stored directly (as the invoicer would), with the credit it used; answers its id and number.</summary>
    private Task<(long Id, string Number)> CreateInvoiceAsync(int customerId, long creditsApplied) =>
        WithDbAsync(async db =>
        {
            var start = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);
            var subscription = new Subscription { CustomerId = customerId, BillingAnchor = "calendar", TimeZone = "UTC", StartsAt = start, CreatedAt = DateTime.UtcNow };
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            var invoice = new Invoice
            {
                Number = $"INV-T{Guid.NewGuid():N}"[..17],
                CustomerId = customerId,
                SubscriptionId = subscription.Id,
                PeriodStart = start,
                PeriodEnd = start.AddMonths(1),
                Status = InvoiceStatuses.Finalized,
                Currency = "USD",
                Subtotal = 10_000,
                CreditsApplied = creditsApplied,
                Total = 10_000 - creditsApplied,
                UsageReadAt = start.AddMonths(1),
                CreatedAt = start.AddMonths(1),
                FinalizesAt = start.AddMonths(1).AddHours(1),
                FinalizedAt = start.AddMonths(1).AddHours(1),
                Lines = [new InvoiceLine { Position = 1, Kind = "charge", Description = "API calls", MeterCode = "api_calls", GroupKey = "", Quantity = 1000m, ExactAmount = 100m, Amount = 10_000, UsageFrom = start, UsageTo = start.AddMonths(1) }],
            };
            db.Invoices.Add(invoice);
            await db.SaveChangesAsync();
            return (invoice.Id, invoice.Number!);
        });
}
