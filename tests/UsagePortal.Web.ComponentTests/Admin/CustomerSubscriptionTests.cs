using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Customers;
using UsagePortal.Domain;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Web.Components.Shared;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>The subscription panel of /admin/customers/{id}: subscribe, change plan and cancel, each change asked first.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CustomerSubscriptionTests(ComponentHost host) : PeopleTestBase(host)
{
    private static string Day(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private IRenderedComponent<CustomerSubscription> RenderPanel(Customer customer)
    {
        RenderProviders();
        SignInAsAdmin();
        var panel = Render<CustomerSubscription>(p => p.Add(s => s.Customer, customer));
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll(".mud-progress-linear")), TimeSpan.FromSeconds(10));
        return panel;
    }

    /// <summary>The texts of the options of the select marked <paramref name="testId"/>; the list is left open.</summary>
    private List<string> OptionsOf(IRenderedComponent<CustomerSubscription> panel, string testId)
    {
        panel.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.QuerySelector(".mud-input")!.MouseDown();
        var popovers = Popovers;
        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll(".mud-list-item")));
        return [.. popovers.FindAll(".mud-list-item").Select(i => i.TextContent.Trim())];
    }

    [Fact]
    public async Task ACustomerWithoutASubscriptionIsSubscribedFromTheirPage()
    {
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var euroPlan = await CreatePlanAsync("EUR");
        var start = DateTime.UtcNow.Date.AddDays(-3);
        var panel = RenderPanel(customer);

        Assert.Contains("Not subscribed", panel.Find("[data-testid=not-subscribed]").TextContent, StringComparison.Ordinal);
        Assert.Equal(Day(DateTime.UtcNow), panel.Find("input[data-testid=subscribe-startDate]").GetAttribute("value"));
        var options = OptionsOf(panel, "subscribe-plan");
        Assert.Contains(options, o => o.StartsWith($"Plan {plan} ({plan})", StringComparison.Ordinal));
        Assert.DoesNotContain(options, o => o.Contains(euroPlan, StringComparison.Ordinal));
        Popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim().StartsWith($"Plan {plan} ", StringComparison.Ordinal)).Click();
        Choose(panel, "subscribe-billingAnchor", "Anniversary");
        panel.Find("input[data-testid=subscribe-startDate]").Change(Day(start));
        panel.Find("form[data-testid=subscribe-form]").Submit();

        Snackbars.WaitForAssertion(() => Assert.Contains($"Subscribed to {plan}", SnackbarText(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        panel.WaitForAssertion(() => Assert.Contains($"Plan {plan}", panel.Find("[data-testid=subscription-details]").TextContent, StringComparison.Ordinal));
        var details = panel.Find("[data-testid=subscription-details]").TextContent;
        Assert.Contains($"{plan} version 1", details, StringComparison.Ordinal);
        Assert.Contains("Anniversary months, time zone UTC", details, StringComparison.Ordinal);
        var subscription = Assert.Single(await SubscriptionsAsync(customer.Id));
        Assert.Equal((start, "anniversary", "UTC", DemoSettings.AdminEmail), (subscription.StartsAt, subscription.BillingAnchor, subscription.TimeZone, subscription.CreatedBy));
        Assert.Equal(plan, Assert.Single(subscription.Phases).PlanVersion!.Plan!.Code);
        Assert.Empty(panel.FindAll("form[data-testid=subscribe-form]"));
    }

    [Fact]
    public async Task BadSubscribeInputIsShownAtItsFieldAndNothingIsStored()
    {
        var customer = await CreateCustomerAsync();
        await CreatePlanAsync();
        var panel = RenderPanel(customer);

        panel.Find("input[data-testid=subscribe-startDate]").Change(Day(DateTime.UtcNow.AddYears(2)));
        panel.Find("form[data-testid=subscribe-form]").Submit();
        panel.WaitForAssertion(() => Assert.Contains("must be at most a year from now", ErrorAt(panel, "subscribe-startDate"), StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        // The start is read in the billing zone, so an unknown zone is named on its own.
        panel.Find("input[data-testid=subscribe-timeZone]").Input("Mars/Olympus_Mons");
        panel.Find("input[data-testid=subscribe-timeZone]").Blur();
        panel.Find("form[data-testid=subscribe-form]").Submit();
        panel.WaitForAssertion(() => Assert.Contains("'Mars/Olympus_Mons' is not an IANA time zone", ErrorAt(panel, "subscribe-timeZone"), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("Subscribed to", SnackbarText(), StringComparison.Ordinal);
        Assert.Empty(await SubscriptionsAsync(customer.Id));
    }

    [Fact]
    public async Task TheDomainRefusesAnUnknownAnchorAndAPlanInAnotherCurrencyAtTheirFields()
    {
        // The panel offers neither (its select lists the two anchors and only plans in the customer's currency); the API reaches the service too.
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var euroPlan = await CreatePlanAsync("EUR");

        Task<Result<SubscriptionDetails>> SubscribeAsync(string code, string? anchor) =>
            Host.WithServicesAsync(services => services.GetRequiredService<SubscriptionService>()
                .SubscribeAsync(new SubscribeRequest(customer.ExternalId, code, null, Day(DateTime.UtcNow), anchor, null, null), DemoSettings.AdminEmail));

        Assert.Contains("must be 'calendar' or 'anniversary'", (await SubscribeAsync(plan, "fortnightly")).ErrorFor("billingAnchor"), StringComparison.Ordinal);
        Assert.Contains("bills in EUR, but customer", (await SubscribeAsync(euroPlan, null)).ErrorFor("plan"), StringComparison.Ordinal);
        Assert.Empty(await SubscriptionsAsync(customer.Id));
    }

    [Fact]
    public async Task ThePlanIsChangedNowOnceConfirmedThenCanceledAtPeriodEnd()
    {
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var other = await CreatePlanAsync(flatFee: "99");
        var id = await SubscribeAsync(customer, plan, DateTime.UtcNow.Date.AddDays(-40));
        var panel = RenderPanel(customer);
        Choose(panel, "change-plan", $"Plan {other} ");

        // Asked first, with the next invoice as it would be: both plans' prorated flat fees; Cancel changes nothing.
        panel.Find("form[data-testid=change-form]").Submit();
        var asked = string.Join(' ', DialogText().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"to Plan {other} ({other} version 1) now, as of", asked, StringComparison.Ordinal);
        Assert.Equal(2, Dialogs.FindAll("[data-testid=preview-lines] tr[data-kind=flat_fee]").Count);
        Assert.Contains("Without the change:", Dialogs.Find("[data-testid=preview-difference]").TextContent, StringComparison.Ordinal);
        Answer("Cancel");
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll(".mud-dialog")));
        Assert.Single(Assert.Single(await SubscriptionsAsync(customer.Id)).Phases);

        panel.Find("form[data-testid=change-form]").Submit();
        Answer("Change plan");

        Snackbars.WaitForAssertion(() => Assert.Contains($"Moved to {other} now.", SnackbarText(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        panel.WaitForAssertion(() => Assert.Contains($"Plan {other}", panel.Find("[data-testid=subscription-details]").TextContent, StringComparison.Ordinal));
        var phases = Assert.Single(await SubscriptionsAsync(customer.Id)).Phases.OrderBy(p => p.StartsAt).ToList();
        Assert.Equal([plan, other], phases.Select(p => p.PlanVersion!.Plan!.Code));
        Assert.Equal(phases[0].EndsAt, phases[1].StartsAt);
        Assert.Equal(2, panel.FindAll("[data-testid=phases] tbody tr").Count);

        // Canceling asks too; "Keep it" keeps it.
        panel.Find("form[data-testid=cancel-form]").Submit();
        Assert.Contains("subscription ends at the end of the current period", DialogText(), StringComparison.Ordinal);
        Answer("Keep it");
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll(".mud-dialog")));
        Assert.Null(Assert.Single(await SubscriptionsAsync(customer.Id)).CanceledAt);

        panel.Find("form[data-testid=cancel-form]").Submit();
        Answer("Cancel subscription");

        Snackbars.WaitForAssertion(() => Assert.Contains("Canceled: the subscription ends", SnackbarText(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var subscription = Assert.Single(await SubscriptionsAsync(customer.Id));
        var now = DateTime.UtcNow;
        Assert.Equal(new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1), subscription.EndsAt);
        Assert.NotNull(subscription.CanceledAt);
        Assert.Equal(id, subscription.Id);
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("form[data-testid=cancel-form]")));
        Assert.Equal("canceled", panel.Find("[data-testid=subscription-status]").TextContent.Trim());
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "subscription.canceled" && a.Subject == $"subscription:{id}" && a.Actor == DemoSettings.AdminEmail)));
    }

    [Fact]
    public async Task TheDomainRefusesAnUnknownTimingAndChangesNothing()
    {
        // The panel's radio buttons offer the two timings only; the API reaches the service with any text.
        var customer = await CreateCustomerAsync();
        var id = await SubscribeAsync(customer, await CreatePlanAsync(), DateTime.UtcNow.Date);

        var result = await Host.WithServicesAsync(services => services.GetRequiredService<SubscriptionService>().CancelAsync(id, "tomorrow", DemoSettings.AdminEmail));

        Assert.Contains("must be 'period_end' or 'now'", result.ErrorFor("at"), StringComparison.Ordinal);
        Assert.Null(Assert.Single(await SubscriptionsAsync(customer.Id)).CanceledAt);
    }

    [Fact]
    public async Task WithoutPlansInTheCustomersCurrencyThePanelSaysWhereToPublishOne()
    {
        var customer = await CreateCustomerAsync("CHF");

        var panel = RenderPanel(customer);

        Assert.Contains("Not subscribed", panel.Find("[data-testid=not-subscribed]").TextContent, StringComparison.Ordinal);
        Assert.Contains("No plans in CHF yet. Publish one on the Plans page", panel.Find("[data-testid=no-plans]").TextContent, StringComparison.Ordinal);
        Assert.Equal("admin/plans", panel.Find("[data-testid=no-plans] a").GetAttribute("href"));
        Assert.Empty(panel.FindAll("form[data-testid=subscribe-form]"));
    }
}
