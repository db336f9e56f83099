using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Budgets;
using UsagePortal.Web.Components.Pages.Portal;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/budgets: owners set the budget, thresholds, cap and channels; members read them; the secret is shown once.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class BudgetsTests(ComponentHost host) : BillingPageTest(host)
{
    [Fact]
    public async Task AnOwnerSetsABudgetThresholdsAndACapAndFindsThemOnTheNextVisit()
    {
        RenderProviders();
        var customer = await CreateCustomerAsync(prefix: "budget");
        SignInAsCustomer(customer.Id, role: Roles.CustomerOwner);
        var page = Render<Budgets>();
        page.WaitForElement("[data-testid=budget-form]");
        Assert.NotNull(page.Find("[data-testid=thresholds-empty]"));
        Assert.NotNull(page.Find("[data-testid=deliveries-empty]"));
        Assert.NotNull(page.Find("[data-testid=cap-none]"));

        page.Find("input[data-testid=budget-input]").Change("500.00");
        page.Find("input[data-testid=cap-input]").Change("750");
        page.Find("[data-testid=threshold-add]").Click();
        page.Find("input[data-testid=threshold-value]").Change("80");
        page.Find("[data-testid=threshold-add]").Click();
        page.FindAll("input[data-testid=threshold-value]")[1].Change("100");
        Choose(page, "threshold-basis", "projected spend");
        page.Find("input[data-testid=recipients-input]").Change("finance@example.com, cto@example.com");
        page.Find("[data-testid=budget-form] form").Submit();

        Snackbars.WaitForAssertion(() => Assert.Contains("Budget saved", SnackbarText(), StringComparison.Ordinal));
        var stored = await WithServiceAsync<BudgetService, BudgetSettings>(budgets => budgets.GetAsync(customer.Id));
        Assert.Equal((50000L, 75000L), (stored.Amount, stored.Cap));
        Assert.Equal(["finance@example.com", "cto@example.com"], stored.EmailRecipients);
        Assert.Equal([(80m, SpendBases.Projected), (100m, SpendBases.Actual)], stored.Thresholds.Select(t => (t.Percent!.Value, t.Basis)));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "budget.updated" && a.CustomerId == customer.Id)));

        var again = Render<Budgets>();
        again.WaitForElement("[data-testid=budget-form]");
        Assert.Equal(("500.00", "750.00"), (ValueOf(again, "budget-input"), ValueOf(again, "cap-input")));
        Assert.Equal(2, again.FindAll("[data-testid=threshold-row]").Count);
        Assert.Contains("Billing stops at", Text(again.Find("[data-testid=cap-set]")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongInputIsExplainedUnderItsFieldAndNothingIsStored()
    {
        RenderProviders();
        var customer = await CreateCustomerAsync(prefix: "budget");
        SignInAsCustomer(customer.Id, role: Roles.CustomerOwner);
        var page = Render<Budgets>();
        page.WaitForElement("[data-testid=budget-form]");

        page.Find("input[data-testid=budget-input]").Change("lots");
        page.Find("input[data-testid=webhook-input]").Change("http://example.com/hook");
        page.Find("[data-testid=threshold-add]").Click();
        page.Find("[data-testid=budget-form] form").Submit();

        page.WaitForAssertion(() => Assert.Contains("must be a decimal number", Text(page.Find("[data-testid=budget-input]").Closest(".mud-input-control")!), StringComparison.Ordinal));
        Assert.Contains("https", Text(page.Find("[data-testid=webhook-input]").Closest(".mud-input-control")!), StringComparison.Ordinal);
        Assert.Contains("either a percentage of the budget or an amount", Text(page.Find("[data-testid=threshold-value]").Closest(".mud-input-control")!), StringComparison.Ordinal);
        Assert.False(await WithDbAsync(db => db.Budgets.AnyAsync(b => b.CustomerId == customer.Id)));
    }

    [Fact]
    public async Task TheWebhookSecretIsShownOnceAndReplacingItAsksFirst()
    {
        RenderProviders();
        var customer = await CreateCustomerAsync(prefix: "budget");
        SignInAsCustomer(customer.Id, role: Roles.CustomerOwner);
        var page = Render<Budgets>();
        page.WaitForElement("[data-testid=budget-form]");
        page.Find("input[data-testid=webhook-input]").Change("https://hooks.example.com/usage");
        page.Find("[data-testid=budget-form] form").Submit();
        page.WaitForElement("[data-testid=secret-missing]");

        page.Find("[data-testid=secret-create]").Click();
        var secret = page.WaitForElement("[data-testid=webhook-secret]").TextContent;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.False(await WithDbAsync(db => db.Budgets.AnyAsync(b => b.CustomerId == customer.Id && b.WebhookSecret!.Contains(secret))), "stored encrypted");

        var later = Render<Budgets>();
        later.WaitForElement("[data-testid=budget-form]");
        Assert.Empty(later.FindAll("[data-testid=webhook-secret]"));
        Assert.DoesNotContain(secret, later.Markup, StringComparison.Ordinal);
        Assert.Equal("Replace signing secret", later.Find("[data-testid=secret-create]").TextContent.Trim());
        later.Find("[data-testid=secret-create]").Click();
        Answer("Cancel");
        Assert.Empty(later.FindAll("[data-testid=webhook-secret]"));
    }

    [Fact]
    public async Task AMemberReadsTheSettingsAndCannotChangeThem()
    {
        var customer = await CreateCustomerAsync(prefix: "budget");
        await WithServiceAsync<BudgetService, Domain.Result<BudgetSettings>>(budgets => budgets.SaveAsync(customer.Id,
            new BudgetInput("200.00", "300.00", "team@example.com", null, [new ThresholdInput(null, "90", null, SpendBases.Actual)]), "owner@test"));
        SignInAsCustomer(customer.Id, "member@example.com", Roles.CustomerMember);

        var page = Render<Budgets>();

        page.WaitForElement("[data-testid=budget-readonly]");
        Assert.Empty(page.FindAll("[data-testid=budget-form]"));
        Assert.Empty(page.FindAll("[data-testid=budget-save]"));
        Assert.Empty(page.FindAll("input"));
        var text = Text(page.Find("[data-testid=budget-readonly]"));
        Assert.Contains("team@example.com", text, StringComparison.Ordinal);
        Assert.Contains("90 % of budget, actual", text, StringComparison.Ordinal);
        Assert.Contains("Owners of your organisation change the budget", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeliveryLogListsEachChannelOfAnAlertWithItsState()
    {
        var customer = await CreateCustomerAsync(prefix: "budget");
        await WithDbAsync(async db =>
        {
            var firing = new AlertFiring
            {
                CustomerId = customer.Id, Key = "threshold:1", Type = AlertTypes.ThresholdReached, Basis = SpendBases.Actual, PeriodStart = DateTime.UtcNow.AddDays(-3),
                PeriodEnd = DateTime.UtcNow.AddDays(27), FiredAt = DateTime.UtcNow, Spend = 8100, Limit = 8000, Currency = "USD", Message = "Spend this period is 81.00 USD, past 80.00 USD.",
            };
            db.AlertFirings.Add(firing);
            await db.SaveChangesAsync();
            db.AlertDeliveries.Add(new AlertDelivery { Id = Guid.NewGuid(), AlertFiringId = firing.Id, CustomerId = customer.Id, Channel = AlertChannels.Portal });
            await db.SaveChangesAsync();
            return firing.Id;
        });
        SignInAsCustomer(customer.Id, "member@example.com", Roles.CustomerMember);

        var page = Render<Budgets>();

        var row = page.WaitForElement("[data-testid=delivery-row]");
        Assert.Equal(("portal", "Delivered"), (row.GetAttribute("data-channel"), row.GetAttribute("data-state")));
        Assert.Contains("past 80.00 USD", Text(row), StringComparison.Ordinal);
        Assert.Contains("Portal bell", Text(row), StringComparison.Ordinal);

        // Another organisation's people see none of it: not its alerts, not its settings.
        var other = await CreateCustomerAsync(prefix: "budget");
        SignInAsCustomer(other.Id, "other@example.com", Roles.CustomerOwner);
        var theirs = Render<Budgets>();
        theirs.WaitForElement("[data-testid=deliveries-empty]");
        Assert.DoesNotContain("past 80.00 USD", theirs.Markup, StringComparison.Ordinal);
    }
}
