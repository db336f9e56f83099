using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Credits;

namespace UsagePortal.Web.Tests.Billing;

public sealed class CreditServiceTests(CreditsPortal portal) : IClassFixture<CreditsPortal>
{
    private Task<UsagePortal.Domain.Result<CreditGrant>> GrantAsync(int customerId, string? amount, string? reason, DateTime? expiresAt = null) =>
        portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().GrantAsync(customerId, amount, reason, expiresAt, "admin@tests"));

    [Fact]
    public async Task AGrantIsStoredWholeAsRemainingWithAGrantedLedgerEntryAndAnAuditEntry()
    {
        var customer = await portal.CreateBillingCustomerAsync("EUR");
        var expiry = DateTime.UtcNow.AddDays(90);

        var (grant, errors) = await GrantAsync(customer.Id, "25.50", "  Apology for the outage  ", expiry);

        Assert.Empty(errors);
        var stored = await portal.GrantAsync(grant!.Id);
        Assert.Equal((2550L, 2550L, "EUR", "Apology for the outage", "admin@tests"), (stored.Amount, stored.Remaining, stored.Currency, stored.Reason, stored.CreatedBy));
        Assert.Equal(expiry, stored.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
        var entry = Assert.Single(await portal.LedgerAsync(customer.Id));
        Assert.Equal((grant.Id, CreditMovements.Granted, 2550L, 2550L, (long?)null), (entry.CreditGrantId, entry.Kind, entry.Amount, entry.BalanceAfter, entry.InvoiceId));
        var audit = await portal.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.CustomerId == customer.Id));
        Assert.Equal(("credit.granted", $"credit-grant:{grant.Id}", "admin@tests"), (audit.Action, audit.Subject, audit.Actor));
        Assert.Contains("25.50 EUR", audit.Details);
    }

    [Theory]
    [InlineData("0", "Goodwill", "amount", "greater than zero")]
    [InlineData("-5", "Goodwill", "amount", "greater than zero")]
    [InlineData("10.005", "Goodwill", "amount", "at most 2 decimals in USD")]
    [InlineData("ten", "Goodwill", "amount", "decimal number")]
    [InlineData("1,000", "Goodwill", "amount", "decimal number")]
    [InlineData("", "Goodwill", "amount", "required")]
    [InlineData(null, "Goodwill", "amount", "required")]
    [InlineData("10", "", "reason", "required")]
    [InlineData("10", "   ", "reason", "required")]
    [InlineData("10", null, "reason", "required")]
    public async Task AnInvalidGrantNamesTheFieldAndStoresNothing(string? amount, string? reason, string field, string says)
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");

        var (grant, errors) = await GrantAsync(customer.Id, amount, reason);

        Assert.Null(grant);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(says, error.Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task AReasonLongerThan500CharactersAndAPastExpiryAreBothNamed()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");

        var (grant, errors) = await GrantAsync(customer.Id, "0", new string('x', 501), DateTime.UtcNow.AddMinutes(-1));

        Assert.Null(grant);
        Assert.Equal(["amount", "reason", "expiresAt"], errors.Select(e => e.Field));
        Assert.Contains("at most 500", errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("future", errors[2].Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task TheCurrencysMinorUnitDecidesWhichFractionsAreWhole()
    {
        var yen = await portal.CreateBillingCustomerAsync("JPY");
        var dinar = await portal.CreateBillingCustomerAsync("KWD");

        var (fractionalYen, yenErrors) = await GrantAsync(yen.Id, "100.5", "Goodwill");
        var (wholeYen, _) = await GrantAsync(yen.Id, "100", "Goodwill");
        var (dinars, _) = await GrantAsync(dinar.Id, "1.005", "Goodwill");

        Assert.Null(fractionalYen);
        Assert.Contains("whole number of JPY", Assert.Single(yenErrors).Reason, StringComparison.Ordinal);
        Assert.Equal(100L, wholeYen!.Amount);
        Assert.Equal(1005L, dinars!.Amount);
    }

    [Fact]
    public async Task TheBalanceCountsWhatIsLeftOfGrantsThatHaveNotExpired()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        await portal.CreateGrantAsync(customer.Id, 5000, remaining: 1200);
        await portal.CreateGrantAsync(customer.Id, 3000, expiresAt: DateTime.UtcNow.AddDays(3));
        await portal.CreateGrantAsync(customer.Id, 9900, expiresAt: DateTime.UtcNow.AddDays(-1));

        var statement = await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().GetAsync(customer.Id));

        Assert.Equal(4200L, statement.Balance);
        Assert.Equal("USD", statement.Currency.Code);
        Assert.Equal(3, statement.Grants.Count);
        Assert.Equal(3, statement.Ledger.Count);
    }

    [Fact]
    public async Task TheExpirySweepLapsesWhatIsLeftOfADueGrantOnce()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var now = DateTime.UtcNow;
        var due = await portal.CreateGrantAsync(customer.Id, 1000, expiresAt: now.AddMinutes(-5), remaining: 700);
        var spent = await portal.CreateGrantAsync(customer.Id, 1000, expiresAt: now.AddMinutes(-5), remaining: 0);
        var later = await portal.CreateGrantAsync(customer.Id, 1000, expiresAt: now.AddDays(1));
        var forever = await portal.CreateGrantAsync(customer.Id, 1000);

        var lapsed = await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().ExpireDueAsync(now));
        var again = await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().ExpireDueAsync(now));

        Assert.True(lapsed >= 1, "The due grant did not lapse.");
        Assert.Equal(0, again);
        Assert.Equal(0L, (await portal.GrantAsync(due.Id)).Remaining);
        Assert.Equal(1000L, (await portal.GrantAsync(later.Id)).Remaining);
        Assert.Equal(1000L, (await portal.GrantAsync(forever.Id)).Remaining);
        var expired = Assert.Single(await portal.LedgerAsync(customer.Id), e => e.Kind == CreditMovements.Expired);
        Assert.Equal((due.Id, -700L, 0L), (expired.CreditGrantId, expired.Amount, expired.BalanceAfter));
        Assert.DoesNotContain(await portal.LedgerAsync(customer.Id), e => e.CreditGrantId == spent.Id && e.Kind == CreditMovements.Expired);
    }

    [Fact]
    public async Task AGrantThatExpiresLaterLapsesOnTheSweepAfterItsExpiry()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var expiry = DateTime.UtcNow.AddHours(2);
        var (grant, _) = await GrantAsync(customer.Id, "30", "Trial credit", expiry);

        await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().ExpireDueAsync(expiry.AddSeconds(-1)));
        var remainingBefore = (await portal.GrantAsync(grant!.Id)).Remaining;
        await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().ExpireDueAsync(expiry));

        Assert.Equal(3000L, remainingBefore);
        Assert.Equal(0L, (await portal.GrantAsync(grant.Id)).Remaining);
        var statement = await portal.WithServicesAsync(services => services.GetRequiredService<CreditService>().GetAsync(customer.Id));
        Assert.Equal(CreditMovements.Expired, statement.Ledger[0].Kind);
        Assert.Equal(-3000L, statement.Ledger[0].Amount);
    }
}
