using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Billing;
using UsagePortal.Domain;
using UsagePortal.Domain.Invoicing;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>Corrections made at the same moment by several admins (or nodes) against one PostgreSQL.</summary>
public sealed class InvoiceCorrectionConcurrencyTests(PostgresCreditsPortal portal) : IClassFixture<PostgresCreditsPortal>
{
    private const int Admins = 8;

    [Fact]
    public async Task OfAdminsVoidingOneInvoiceAtOnceExactlyOneWinsAndCreditIsRestoredOnce()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, creditsApplied: 3_000);
        var grant = await portal.CreateGrantAsync(customer.Id, 5_000);
        await portal.ApplyCreditAsync(grant.Id, invoice.Id, 3_000);
        using var start = new SemaphoreSlim(0);

        var attempts = Enumerable.Range(0, Admins).Select(admin => Task.Run(() => portal.WithServicesAsync(async services =>
        {
            var corrections = services.GetRequiredService<InvoiceCorrections>();
            await start.WaitAsync();
            return await corrections.VoidAsync(invoice.Id, $"Voided by admin {admin}", $"admin{admin}@tests");
        }))).ToList();
        start.Release(Admins);
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(ResultKind.Conflict, r.Kind));
        Assert.Equal(5_000L, (await portal.GrantAsync(grant.Id)).Remaining);
        var restored = Assert.Single(await portal.LedgerAsync(customer.Id), e => e.Kind == CreditMovements.Restored);
        Assert.Equal((3_000L, 5_000L), (restored.Amount, restored.BalanceAfter));
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == "invoice.voided" && a.Subject == $"invoice:{invoice.Number}")));
        Assert.Equal(InvoiceStatuses.Void, winner.Value!.Status);
    }

    [Fact]
    public async Task CreditNotesIssuedAtOnceStayWithinTheTotalAndTakeConsecutiveNumbers()
    {
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);
        using var start = new SemaphoreSlim(0);

        // Eight notes of 30.00 against a total of 100.00: three fit, the others must be refused.
        var attempts = Enumerable.Range(0, Admins).Select(admin => Task.Run(() => portal.WithServicesAsync(async services =>
        {
            var corrections = services.GetRequiredService<InvoiceCorrections>();
            await start.WaitAsync();
            return await corrections.IssueCreditNoteAsync(invoice.Id, "30", $"Goodwill from admin {admin}", $"admin{admin}@tests");
        }))).ToList();
        start.Release(Admins);
        var results = await Task.WhenAll(attempts);

        var issued = results.Where(r => r.Succeeded).Select(r => r.Value!).ToList();
        Assert.Equal(3, issued.Count);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal("amount", Assert.Single(r.Errors).Field));
        var numbers = issued.Select(n => long.Parse(n.Number[3..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 3).Select(i => numbers[0] + i), numbers);
        var lastValue = await portal.WithDbAsync(db => db.DocumentSequences.Where(s => s.Name == DocumentSequence.CreditNotes).Select(s => s.LastValue).SingleAsync());
        Assert.Equal(numbers[^1], lastValue);
        Assert.Equal(3, await portal.WithDbAsync(db => db.CreditGrants.CountAsync(g => g.CustomerId == customer.Id)));
    }
}
