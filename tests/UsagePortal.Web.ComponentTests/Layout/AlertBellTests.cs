using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Budgets;
using UsagePortal.Web.Components.Shared;
using UsagePortal.Web.ComponentTests.Admin;

namespace UsagePortal.Web.ComponentTests.Layout;

/// <summary>The bell in the app bar: the organisation's unread alerts, live, and read once opened.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class AlertBellTests(ComponentHost host) : PeopleTestBase(host)
{
    [Fact]
    public async Task AnAlertFiredWhileThePageIsOpenRaisesTheCountAndOpeningTheBellReadsIt()
    {
        RenderProviders();
        var customerId = await WithDbAsync(async db =>
        {
            var customer = new Data.Customers.Customer { ExternalId = $"bell-{Guid.NewGuid():N}", Name = "Bell Ltd", Email = "bell@example.test", CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer.Id;
        });
        var person = await CreatePersonAsync(customerId, Roles.CustomerMember);
        SignInAsPerson(customerId, person.Email!, Roles.CustomerMember, person.Id);
        var bell = Render<AlertBell>();
        bell.WaitForAssertion(() => Assert.Equal("0", bell.Find("[data-testid=alert-count]").GetAttribute("data-count")));

        await FireAsync(customerId, "Spend this period is 81.00 USD, past 80.00 USD.");
        Host.Services.GetRequiredService<BudgetWatch>().OnEvaluated(customerId);

        bell.WaitForAssertion(() => Assert.Equal("1", bell.Find("[data-testid=alert-count]").GetAttribute("data-count")));
        Assert.Contains("1 unread", bell.Find("button").GetAttribute("aria-label"), StringComparison.Ordinal);
        bell.Find("button").Click();
        Popovers.WaitForAssertion(() => Assert.Contains("past 80.00 USD", Popovers.Find("[data-testid=alert-item]").TextContent, StringComparison.Ordinal));
        bell.WaitForAssertion(() => Assert.Equal("0", bell.Find("[data-testid=alert-count]").GetAttribute("data-count")));
        Assert.NotNull(await WithDbAsync(db => db.Users.Where(u => u.Id == person.Id).Select(u => u.AlertsSeenAt).SingleAsync()));

        // Another organisation's alert does not count here; a newer one of this organisation does.
        var other = await Host.CustomerIdAsync("globex");
        await FireAsync(other, "Another organisation's alert.");
        Host.Services.GetRequiredService<BudgetWatch>().OnEvaluated(other);
        await FireAsync(customerId, "A second alert of this organisation.");
        var fresh = Render<AlertBell>();
        fresh.WaitForAssertion(() => Assert.Equal("1", fresh.Find("[data-testid=alert-count]").GetAttribute("data-count")));
    }

    private Task<long> FireAsync(int customerId, string message) =>
        WithDbAsync(async db =>
        {
            var firing = new AlertFiring
            {
                CustomerId = customerId, Key = $"threshold:{Guid.NewGuid():N}"[..40], Type = AlertTypes.ThresholdReached, Basis = SpendBases.Actual,
                PeriodStart = DateTime.UtcNow.AddDays(-1), PeriodEnd = DateTime.UtcNow.AddDays(29), FiredAt = DateTime.UtcNow, Spend = 8100, Limit = 8000, Currency = "USD", Message = message,
            };
            db.AlertFirings.Add(firing);
            await db.SaveChangesAsync();
            return firing.Id;
        });
}
