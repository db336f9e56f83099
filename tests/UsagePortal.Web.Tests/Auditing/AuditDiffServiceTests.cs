using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;
using UsagePortal.Data.Payments;
using UsagePortal.Domain.ApiKeys;
using UsagePortal.Domain.Budgets;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.Payments;
using UsagePortal.Web.Tests.Api;
using UsagePortal.Web.Tests.Billing;
using UsagePortal.Web.Tests.Budgets;

namespace UsagePortal.Web.Tests.Auditing;

/// <summary>
/// The admin actions only the console offers, called as its pages call the domain services (the actor is the signed-in
/// user's e-mail): each is audited with that e-mail and the state before and after. The clock reads 15 March 2026,
/// 12:00 UTC.
/// </summary>
[Collection(SubscriptionsApiCollection.Name)]
public sealed class AuditDiffServiceTests(SubscriptionsPortal portal) : IAsyncLifetime
{
    private const string NowText = "2026-03-15T12:00:00Z";

    private readonly string admin = $"admin-{Guid.NewGuid():N}@usageportal.test";

    public Task InitializeAsync()
    {
        portal.Clock.Now = SubscriptionsPortal.DefaultNow;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<T> UseAsync<TService, T>(Func<TService, Task<T>> use) where TService : notnull =>
        portal.WithServicesAsync(services => use(services.GetRequiredService<TService>()));

    private async Task<StoredAudit> NewestAsync(string subject, string action)
    {
        var audit = await portal.NewestAsync(subject, action);
        Assert.Equal(admin, audit.Entry.Actor);
        return audit;
    }

    [Fact]
    public async Task AnApiKeyCreatedRecordsItsNameAndPrefixAndItsRevocationTheMomentItWasRevoked()
    {
        var name = Unique.Name("console key");
        var created = (await UseAsync<ApiKeyService, Domain.Result<ApiKeyCreated>>(s => s.CreateAsync(name, admin))).Value!;
        var subject = $"apikey:{created.Stored.Id}";

        var made = await NewestAsync(subject, "apikey.created");
        Assert.Null(made.Before);
        Assert.Equal((name, created.Stored.Prefix, null), (made.Is("name"), made.Is("prefix"), made.Is("revoked at")));
        Assert.DoesNotContain(created.Key, made.Entry.After!, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Stored.KeyHash, made.Entry.After!, StringComparison.Ordinal);

        await UseAsync<ApiKeyService, Domain.Result<Data.Metering.ApiKey>>(s => s.RevokeAsync(created.Stored.Id, admin));

        var revoked = await NewestAsync(subject, "apikey.revoked");
        Assert.Equal((null, NowText), (revoked.Was("revoked at"), revoked.Is("revoked at")));
        Assert.Equal((name, name), (revoked.Was("name"), revoked.Is("name")));
    }

    [Fact]
    public async Task AnInvitationRecordsThePersonInvitedAndARemovalTheRoleTheyHad()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var email = $"{Guid.NewGuid():N}@member.example";
        var invited = await UseAsync<Invitations, Domain.Result<string>>(s => s.InviteAsync(customer.Id, email, "New Member", Roles.CustomerMember, admin));
        Assert.True(invited.Succeeded, string.Join("; ", invited.Errors.Select(e => e.Reason)));

        var invitation = await NewestAsync($"user:{email}", "user.invited");
        Assert.Null(invitation.Before);
        Assert.Equal((email, "New Member", Roles.CustomerMember, "invited"), (invitation.Is("email"), invitation.Is("name"), invitation.Is("role"), invitation.Is("status")));

        var userId = await portal.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        var removed = await UseAsync<TeamService, Domain.Result<TeamMemberRow>>(s => s.RemoveAsync(customer.Id, userId, null, admin));
        Assert.True(removed.Succeeded, string.Join("; ", removed.Errors.Select(e => e.Reason)));

        var removal = await NewestAsync($"user:{email}", "user.removed");
        Assert.Null(removal.After);
        Assert.Equal((Roles.CustomerMember, email, "invited"), (removal.Was("role"), removal.Was("email"), removal.Was("status")));
    }

    [Fact]
    public async Task ABudgetSavedRecordsTheOldSettingsAgainstTheNewOnes()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var subject = $"customer:{customer.Id}";
        var first = await UseAsync<BudgetService, Domain.Result<BudgetSettings>>(s => s.SaveAsync(customer.Id, new BudgetInput("250", null, null, null, [BudgetFixtures.Percent("80")]), admin));
        Assert.True(first.Succeeded, string.Join("; ", first.Errors.Select(e => e.Reason)));

        var created = await NewestAsync(subject, "budget.updated");
        Assert.Null(created.Before);
        Assert.Equal(("250.00 USD", "none", "80 % of the budget (actual)"), (created.Is("budget"), created.Is("cap"), created.Is("thresholds")));

        var second = await UseAsync<BudgetService, Domain.Result<BudgetSettings>>(s => s.SaveAsync(customer.Id,
            new BudgetInput("300", "400", "finance@customer.example", null, [BudgetFixtures.Percent("80"), BudgetFixtures.Amount("200", "projected")]), admin));
        Assert.True(second.Succeeded, string.Join("; ", second.Errors.Select(e => e.Reason)));

        var updated = await NewestAsync(subject, "budget.updated");
        Assert.Equal(("250.00 USD", "300.00 USD"), (updated.Was("budget"), updated.Is("budget")));
        Assert.Equal(("none", "400.00 USD"), (updated.Was("cap"), updated.Is("cap")));
        Assert.Equal(("80 % of the budget (actual)", "80 % of the budget (actual); 200.00 USD (projected)"), (updated.Was("thresholds"), updated.Is("thresholds")));
        Assert.Equal(("none", "finance@customer.example"), (updated.Was("e-mail recipients"), updated.Is("e-mail recipients")));
    }

    [Fact]
    public async Task PushingAFailedInvoiceAgainRecordsItsPaymentStateBeforeAndAfter()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var invoice = await portal.CreateInvoiceAsync(customer.Id);
        await portal.WithDbAsync(db => db.Invoices.Where(i => i.Id == invoice.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.PushFailed)));

        var retried = await UseAsync<PaymentService, Domain.Result<bool>>(s => s.RetryPushAsync(invoice.Id, admin));
        Assert.True(retried.Succeeded, string.Join("; ", retried.Errors.Select(e => e.Reason)));

        var retry = await NewestAsync($"invoice:{invoice.Number}", "invoice.push_retried");
        Assert.Equal((PaymentStates.PushFailed, PaymentStates.Queued), (retry.Was("payment state"), retry.Is("payment state")));
        Assert.Equal((invoice.Number, invoice.Number), (retry.Was("number"), retry.Is("number")));
    }
}
