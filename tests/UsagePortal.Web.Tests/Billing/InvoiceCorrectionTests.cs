using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Invoicing;

namespace UsagePortal.Web.Tests.Billing;

public sealed class InvoiceCorrectionTests(CreditsPortal portal) : IClassFixture<CreditsPortal>
{
    private Task<Result<Invoice>> VoidAsync(long invoiceId, string? reason = "Billed the wrong customer") =>
        portal.WithServicesAsync(services => services.GetRequiredService<InvoiceCorrections>().VoidAsync(invoiceId, reason, "admin@tests"));

    private Task<Result<CreditNote>> CreditAsync(long invoiceId, string? amount, string? reason = "Outage on 3 September") =>
        portal.WithServicesAsync(services => services.GetRequiredService<InvoiceCorrections>().IssueCreditNoteAsync(invoiceId, amount, reason, "admin@tests"));

    private static long NumberOf(CreditNote note) => long.Parse(note.Number["CN-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task VoidingGivesTheCreditTheInvoiceConsumedBackToItsGrants()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)], creditsApplied: 4_000);
        var first = await portal.CreateGrantAsync(customer.Id, 2_500);
        var second = await portal.CreateGrantAsync(customer.Id, 5_000);
        await portal.ApplyCreditAsync(first.Id, invoice.Id, 2_500);
        await portal.ApplyCreditAsync(second.Id, invoice.Id, 1_500);

        var result = await VoidAsync(invoice.Id, "  Billed the wrong customer ");

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Reason)));
        var voided = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.Void, "Billed the wrong customer"), (voided.Status, voided.VoidReason));
        Assert.NotNull(voided.VoidedAt);
        Assert.Equal((invoice.Subtotal, invoice.CreditsApplied, invoice.Total), (voided.Subtotal, voided.CreditsApplied, voided.Total));
        Assert.Equal(2_500L, (await portal.GrantAsync(first.Id)).Remaining);
        Assert.Equal(5_000L, (await portal.GrantAsync(second.Id)).Remaining);
        var restored = (await portal.LedgerAsync(customer.Id)).Where(e => e.Kind == CreditMovements.Restored).OrderBy(e => e.CreditGrantId).ToList();
        Assert.Equal(
            [(first.Id, 2_500L, 2_500L, (long?)invoice.Id), (second.Id, 1_500L, 5_000L, invoice.Id)],
            restored.Select(e => (e.CreditGrantId, e.Amount, e.BalanceAfter, e.InvoiceId)));
        var audit = await portal.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.Subject == $"invoice:{invoice.Number}"));
        Assert.Equal(("invoice.voided", "admin@tests"), (audit.Action, audit.Actor));
        Assert.Contains("40.00 USD of credit restored", audit.Details);
    }

    [Fact]
    public async Task ASecondVoidIsRefusedAndRestoresNothingAgain()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, creditsApplied: 1_000);
        var grant = await portal.CreateGrantAsync(customer.Id, 1_000);
        await portal.ApplyCreditAsync(grant.Id, invoice.Id, 1_000);
        await VoidAsync(invoice.Id);

        var again = await VoidAsync(invoice.Id, "Once more");

        Assert.Equal(ResultKind.Conflict, again.Kind);
        Assert.Equal("status", Assert.Single(again.Errors).Field);
        Assert.Contains("already void", again.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Equal(1_000L, (await portal.GrantAsync(grant.Id)).Remaining);
        Assert.Single(await portal.LedgerAsync(customer.Id), e => e.Kind == CreditMovements.Restored);
        Assert.Equal("Billed the wrong customer", (await portal.InvoiceAsync(invoice.Id)).VoidReason);
    }

    [Theory]
    [InlineData(InvoiceStatuses.Draft, "drafts are recomputed until they are finalized")]
    [InlineData(InvoiceStatuses.Paid, "issue a credit note instead")]
    public async Task DraftsAndPaidInvoicesCannotBeVoided(string status, string says)
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, status);

        var result = await VoidAsync(invoice.Id);

        Assert.Equal(ResultKind.Conflict, result.Kind);
        Assert.Contains(says, Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
        Assert.Equal(status, (await portal.InvoiceAsync(invoice.Id)).Status);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task APaymentFailedInvoiceCanBeVoided()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.PaymentFailed);

        var result = await VoidAsync(invoice.Id);

        Assert.True(result.Succeeded);
        Assert.Equal(InvoiceStatuses.Void, (await portal.InvoiceAsync(invoice.Id)).Status);
    }

    [Fact]
    public async Task AVoidNeedsAReasonAndAnInvoiceThatExists()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        var withoutReason = await VoidAsync(invoice.Id, " ");
        var unknown = await VoidAsync(long.MaxValue);

        Assert.Equal(ResultKind.Invalid, withoutReason.Kind);
        Assert.Equal("reason", Assert.Single(withoutReason.Errors).Field);
        Assert.Equal(InvoiceStatuses.Finalized, (await portal.InvoiceAsync(invoice.Id)).Status);
        Assert.Equal(ResultKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task CreditNotesAreNumberedOneAfterAnotherAndARefusedNoteTakesNoNumber()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);

        var first = await CreditAsync(invoice.Id, "10");
        var refused = await CreditAsync(invoice.Id, "95");
        var second = await CreditAsync(invoice.Id, "5.25");

        Assert.True(first.Succeeded && second.Succeeded);
        Assert.Equal(ResultKind.Invalid, refused.Kind);
        Assert.Matches("^CN-[0-9]{6}$", first.Value!.Number);
        Assert.Equal(NumberOf(first.Value) + 1, NumberOf(second.Value!));
        var lastValue = await portal.WithDbAsync(db => db.DocumentSequences.Where(s => s.Name == DocumentSequence.CreditNotes).Select(s => s.LastValue).SingleAsync());
        Assert.Equal(NumberOf(second.Value!), lastValue);
    }

    [Fact]
    public async Task ANumberTakenInATransactionThatRollsBackIsTakenAgainByTheNext()
    {
        var taken = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var number = await InvoiceCorrections.NextNumberAsync(db, DocumentSequence.CreditNotes);
            await transaction.RollbackAsync();
            return number;
        });

        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);
        var note = await CreditAsync(invoice.Id, "1");

        Assert.Equal($"CN-{taken:000000}", note.Value!.Number);
    }

    [Fact]
    public async Task ACreditNoteBecomesACreditGrantThatTheNextInvoiceCanConsume()
    {
        var customer = await portal.CreateBillingCustomerAsync("EUR");
        var invoice = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, [new TestLine("Storage", 4_200)], currency: "EUR");

        var result = await CreditAsync(invoice.Id, "12.50", "Storage billed twice");

        var note = result.Value!;
        var stored = await portal.WithDbAsync(db => db.CreditNotes.AsNoTracking().SingleAsync(n => n.Id == note.Id));
        Assert.Equal((invoice.Id, customer.Id, 1_250L, "Storage billed twice", "admin@tests"), (stored.InvoiceId, stored.CustomerId, stored.Amount, stored.Reason, stored.CreatedBy));
        var grant = await portal.GrantAsync(stored.CreditGrantId!.Value);
        Assert.Equal((1_250L, 1_250L, "EUR", (DateTime?)null), (grant.Amount, grant.Remaining, grant.Currency, grant.ExpiresAt));
        Assert.Equal($"Credit note {note.Number} on {invoice.Number}: Storage billed twice", grant.Reason);
        var entry = Assert.Single(await portal.LedgerAsync(customer.Id));
        Assert.Equal((grant.Id, CreditMovements.Granted, 1_250L, (long?)invoice.Id), (entry.CreditGrantId, entry.Kind, entry.Amount, entry.InvoiceId));
        var statement = await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().GetAsync(customer.Id));
        Assert.Equal(1_250L, statement.Balance);
        var audit = await portal.WithDbAsync(db => db.AuditEntries.Where(a => a.CustomerId == customer.Id).Select(a => a.Action).OrderBy(a => a).ToListAsync());
        Assert.Equal(["credit.granted", "credit_note.issued"], audit);
        Assert.Equal(InvoiceStatuses.Paid, (await portal.InvoiceAsync(invoice.Id)).Status);
        Assert.Equal(4_200L, (await portal.InvoiceAsync(invoice.Id)).Total);
    }

    [Fact]
    public async Task CreditNotesNeverAddUpToMoreThanTheInvoiceTotal()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);

        var sixty = await CreditAsync(invoice.Id, "60");
        var fifty = await CreditAsync(invoice.Id, "50");
        var forty = await CreditAsync(invoice.Id, "40.00");
        var cent = await CreditAsync(invoice.Id, "0.01");

        Assert.True(sixty.Succeeded && forty.Succeeded);
        Assert.Equal(ResultKind.Invalid, fifty.Kind);
        Assert.Equal("amount", Assert.Single(fifty.Errors).Field);
        Assert.Contains("at most 40.00 USD", fifty.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("Nothing is left to credit", Assert.Single(cent.Errors).Reason, StringComparison.Ordinal);
        Assert.Equal(10_000L, await portal.WithDbAsync(db => db.CreditNotes.Where(n => n.InvoiceId == invoice.Id).SumAsync(n => n.Amount)));
    }

    [Theory]
    [InlineData("0", "amount")]
    [InlineData("-1", "amount")]
    [InlineData("1.001", "amount")]
    [InlineData("", "amount")]
    public async Task AnInvalidCreditNoteNamesTheFieldAndStoresNothing(string amount, string field)
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        var result = await CreditAsync(invoice.Id, amount);
        var withoutReason = await CreditAsync(invoice.Id, "1", "");

        Assert.Equal(ResultKind.Invalid, result.Kind);
        Assert.Equal(field, Assert.Single(result.Errors).Field);
        Assert.Equal("reason", Assert.Single(withoutReason.Errors).Field);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Theory]
    [InlineData(InvoiceStatuses.Draft, "draft")]
    [InlineData(InvoiceStatuses.Void, "void")]
    public async Task DraftAndVoidInvoicesGetNoCreditNote(string status, string says)
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, status);

        var result = await CreditAsync(invoice.Id, "1");

        Assert.Equal(ResultKind.Conflict, result.Kind);
        Assert.Contains(says, Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task AnInvoiceWithACreditNoteCannotAlsoBeVoided()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);
        await CreditAsync(invoice.Id, "10");

        var result = await VoidAsync(invoice.Id);

        Assert.Equal(ResultKind.Conflict, result.Kind);
        Assert.Contains("already has a credit note", Assert.Single(result.Errors).Reason, StringComparison.Ordinal);
        var stored = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.Finalized, (DateTime?)null), (stored.Status, stored.VoidedAt));
    }
}
