using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Data.Payments;
using UsagePortal.Domain;
using UsagePortal.Domain.Budgets;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.Payments;
using UsagePortal.Web.ComponentTests.Portal;
using UsagePortal.Web.Components.Pages.Admin;
using UsagePortal.Web.Components.Pages.Portal;
using UsagePortal.Web.Formatting;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>
/// /admin/customers/{id}: the customer's details, editing them, its people and inviting one; and what the customer is
/// billed: this period's usage and cost as their own dashboard shows it, budget and cap, credit, invoices and payment.
/// </summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CustomerDetailTests(ComponentHost host) : PeopleTestBase(host)
{
    private IRenderedComponent<CustomerDetail> RenderPage(int id)
    {
        RenderProviders();
        SignInAsAdmin();
        return Render<CustomerDetail>(p => p.Add(c => c.Id, id));
    }

    /// <summary>
    /// The page with every billing panel read (no skeleton or progress bar left in them): the panels arrive one by one,
    /// each a re-render, so a test that clicks waits for them first (a button found before a re-render loses its handler).
    /// </summary>
    private IRenderedComponent<CustomerDetail> RenderBilled(int id)
    {
        var page = RenderPage(id);
        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[data-testid=customer-period] [data-testid=cost-loading], [data-testid=customer-period] [data-testid=usage-loading]"));
            Assert.Empty(page.FindAll("[data-testid=customer-budget] .mud-skeleton, [data-testid=customer-credits] .mud-skeleton, [data-testid=customer-payment] .mud-skeleton"));
            Assert.Empty(page.FindAll("[data-testid=customer-invoices] .mud-progress-linear"));
        }, TimeSpan.FromSeconds(30));
        return page;
    }

    private static string TextOf(IRenderedComponent<CustomerDetail> page, string selector) =>
        page.Find(selector).TextContent.Trim().Replace('\u00a0', ' ');

    private Task<int> ThresholdIdAsync(int customerId, decimal percent) =>
        WithDbAsync(async db => (await db.BudgetThresholds.AsNoTracking().Where(t => t.CustomerId == customerId).ToListAsync()).Single(t => t.Percent == percent).Id);

    /// <summary>
    /// A customer in UTC on a plan of its own (20.00 a month and 0.01 a call) since the start of this month, with
    /// <paramref name="calls"/> calls by now, sent through ingestion as the API sends them.
    /// </summary>
    private async Task<(Customer Customer, string Meter)> CustomerWithCallsAsync(int calls)
    {
        var customer = await CreateCustomerAsync();
        var (plan, meter) = await CreatePlanWithMeterAsync();
        var now = DateTime.UtcNow;
        await SubscribeAsync(customer, plan, new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc));
        await Host.IngestAsync(customer.ExternalId, $"{meter}.used", new { }, DateTimeOffset.UtcNow.AddSeconds(-calls), calls);
        return (customer, meter);
    }

    private static void Invite(IRenderedComponent<CustomerDetail> page, string email, string name)
    {
        page.Find("input[data-testid=invite-name]").Change(name);
        page.Find("input[data-testid=invite-email]").Change(email);
        page.Find("[data-testid=invite] form").Submit();
    }

    [Fact]
    public async Task ShowsTheCustomersDetailsPeopleAndLinks()
    {
        var acme = await Host.CustomerIdAsync("acme");

        var page = RenderPage(acme);

        page.WaitForAssertion(() => Assert.Contains(DemoSettings.MemberEmail, Text(page)), TimeSpan.FromSeconds(10));
        Assert.Equal(DemoSettings.CustomerName, page.Find("h1").TextContent.Trim());
        var details = page.Find("[data-testid=customer-details]").TextContent;
        Assert.Contains("America/New_York", details, StringComparison.Ordinal);
        Assert.Contains("USD", details, StringComparison.Ordinal);
        Assert.Contains(DemoSettings.CustomerEmail, page.Find("[data-testid=members]").TextContent, StringComparison.Ordinal);
        Assert.Equal($"admin/customers/{acme}/credits", page.Find("a[data-testid=credits-link]").GetAttribute("href"));
        Assert.False(NotFoundCalled);
    }

    [Fact]
    public async Task ACustomerWithoutPeopleSaysHowToInviteTheFirst()
    {
        var customer = await CreateCustomerAsync();

        var page = RenderPage(customer.Id);

        page.WaitForAssertion(() => Assert.Contains("Nobody can sign in to this customer's portal yet", page.Find("[data-testid=members-empty]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ThisPeriodsCostIsWhatTheCustomersOwnDashboardShowsAndNoOtherCustomersUsage()
    {
        var (busy, busyMeter) = await CustomerWithCallsAsync(300);
        var (quiet, quietMeter) = await CustomerWithCallsAsync(70);
        SignInAsCustomer(busy.Id);
        var dashboard = Render<Dashboard>();
        dashboard.WaitForAssertion(() => Assert.Equal("true", dashboard.Find("[data-testid=dashboard]").GetAttribute("data-interactive")), TimeSpan.FromSeconds(30));
        var theirs = dashboard.Find("[data-testid=cost-so-far]").TextContent.Trim();
        var read = await Host.WithServicesAsync(services => services.GetRequiredService<CostQuery>().CurrentAsync(busy.Id, DateTime.UtcNow));

        var page = RenderBilled(busy.Id);

        // 20.00 a month and 300 calls at 0.01: the dashboard, the cost query and the admin's page say the same.
        Assert.Equal("23.00\u00a0USD", theirs);
        Assert.Equal(PortalFormat.For(busy).Money(read!.Invoice!.Total, "USD"), theirs);
        Assert.Equal(theirs, page.Find("[data-testid=customer-period] [data-testid=cost-so-far]").TextContent.Trim());
        Assert.Equal("300", page.Find($"[data-testid=customer-period] [data-meter={busyMeter}]").TextContent.Trim());
        // Meters are the operator's, so every customer's page lists the other's too: counting none of its calls.
        Assert.Equal("0", page.Find($"[data-testid=customer-period] [data-meter={quietMeter}]").TextContent.Trim());
        Assert.DoesNotContain(quiet.ExternalId, page.Markup, StringComparison.Ordinal);
        // The console links to nothing of the customer's own portal, which an admin cannot open.
        Assert.Empty(page.FindAll("[data-testid=customer-period] a[href^='app/']"));
        // And it speaks of the customer, not to them.
        Assert.Contains("What the customer's invoice would be", page.Find("[data-testid=customer-period]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("your", page.Find("[data-testid=customer-period] [data-testid=cost-so-far]").ParentElement!.TextContent, StringComparison.OrdinalIgnoreCase);

        var other = RenderBilled(quiet.Id);

        Assert.Equal("20.70 USD", TextOf(other, "[data-testid=customer-period] [data-testid=cost-so-far]"));
        Assert.Equal("70", other.Find($"[data-meter={quietMeter}]").TextContent.Trim());
        Assert.Equal("0", other.Find($"[data-meter={busyMeter}]").TextContent.Trim());
        Assert.DoesNotContain(busy.ExternalId, other.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACapReachedIsShownInForceWithTheThresholdsReachedThisPeriod()
    {
        var (customer, _) = await CustomerWithCallsAsync(300);
        await Host.WithServicesAsync(async services =>
        {
            // Spend 23.00: past 80 % of 25.00 (20.00) and past the 10.00 cap; not past 200 % (50.00).
            var saved = await services.GetRequiredService<BudgetService>().SaveAsync(customer.Id, new BudgetInput("25.00", "10.00", null, null,
                [new ThresholdInput(null, "80", null, SpendBases.Actual), new ThresholdInput(null, "200", null, SpendBases.Actual)]), "tests");
            Assert.True(saved.Succeeded);
            return await services.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(customer.Id);
        });

        var page = RenderBilled(customer.Id);

        Assert.Equal("25.00 USD", TextOf(page, "[data-testid=budget-amount]"));
        Assert.Equal("10.00 USD", TextOf(page, "[data-testid=budget-cap]"));
        Assert.Equal("2, 1 reached this period", TextOf(page, "[data-testid=budget-thresholds]"));
        Assert.Contains("nothing more is billed", TextOf(page, "[data-testid=cap-in-force]"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=cap-not-in-force]"));
        Assert.Equal(["cap:1000", $"threshold:{await ThresholdIdAsync(customer.Id, 80m)}"],
            page.FindAll("[data-testid=alerts-reached] li").Select(li => li.GetAttribute("data-alert")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ACapNotReachedIsShownSetButNotInForce()
    {
        var (customer, _) = await CustomerWithCallsAsync(300);
        await Host.WithServicesAsync(async services =>
        {
            var saved = await services.GetRequiredService<BudgetService>().SaveAsync(customer.Id, new BudgetInput(null, "1000.00", null, null, []), "tests");
            Assert.True(saved.Succeeded);
            return await services.GetRequiredService<BudgetEvaluator>().EvaluateOneAsync(customer.Id);
        });

        var page = RenderBilled(customer.Id);

        Assert.Equal("none", TextOf(page, "[data-testid=budget-amount]"));
        Assert.Equal("1,000.00 USD", TextOf(page, "[data-testid=budget-cap]"));
        Assert.Equal("Cap not reached this period: usage is billed up to it.", TextOf(page, "[data-testid=cap-not-in-force]"));
        Assert.Empty(page.FindAll("[data-testid=cap-in-force]"));
        Assert.Equal("No threshold reached this period.", TextOf(page, "[data-testid=alerts-none]"));
    }

    [Fact]
    public async Task TheCreditBalanceLinksToTheCreditsPage()
    {
        var customer = await CreateCustomerAsync();
        var granted = await Host.WithServicesAsync(services => services.GetRequiredService<CreditService>().GrantAsync(customer.Id, "12.50", "goodwill", null, "tests"));
        Assert.True(granted.Succeeded);

        var page = RenderBilled(customer.Id);

        Assert.Equal("12.50 USD", TextOf(page, "[data-testid=customer-credit-balance]"));
        Assert.Equal($"admin/customers/{customer.Id}/credits", page.Find("[data-testid=customer-credits] a[data-testid=credits-link]").GetAttribute("href"));
    }

    [Fact]
    public async Task TheLatestInvoicesShowTheirPaymentStateAndLinkToTheirPagesAndToAllOfThem()
    {
        var customer = await CreateCustomerAsync();
        var other = await CreateCustomerAsync();
        var stored = new List<Invoice>();
        for (var month = 5; month <= 10; month++)
        {
            stored.Add(await WithDbAsync(db => TestInvoices.StoreAsync(db, customer.Id, InvoiceStatuses.Paid, null, 0, 0m, new DateTime(2026, month, 1, 0, 0, 0, DateTimeKind.Utc), "USD")));
        }

        var latest = stored[^1].Id;
        var foreign = await WithDbAsync(db => TestInvoices.StoreAsync(db, other.Id, InvoiceStatuses.Finalized, null, 0, 0m, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), "USD"));
        await WithDbAsync(async db =>
        {
            // Paid but the latest, whose charge failed; each test subscription ends with its invoice's period, as a real one would.
            await db.Invoices.Where(i => i.CustomerId == customer.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.Paid));
            await db.Invoices.Where(i => i.Id == latest).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.Failed).SetProperty(i => i.Status, InvoiceStatuses.PaymentFailed));
            foreach (var subscription in await db.Subscriptions.Where(s => s.CustomerId == customer.Id || s.CustomerId == other.Id).ToListAsync())
            {
                subscription.EndsAt = subscription.StartsAt.AddMonths(1);
            }

            return await db.SaveChangesAsync();
        });

        var page = RenderBilled(customer.Id);

        var rows = page.FindAll("[data-testid=latest-invoices] tbody tr");
        Assert.Equal(stored.AsEnumerable().Reverse().Take(CustomerDetail.LatestInvoices).Select(i => i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r.GetAttribute("data-invoice")));
        Assert.Equal($"admin/invoices/{stored[^1].Id}", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(stored[^1].Number, rows[0].QuerySelector("a")!.TextContent.Trim());
        Assert.Contains("1 Oct – 31 Oct 2026", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("100.00 USD", rows[0].QuerySelector("[data-testid=invoice-total]")!.TextContent.Trim().Replace('\u00a0', ' '));
        Assert.Equal(InvoiceStatuses.PaymentFailed, rows[0].QuerySelector("[data-testid=invoice-status]")!.GetAttribute("data-status"));
        Assert.Equal(["Payment failed", "Paid", "Paid", "Paid", "Paid"], rows.Select(r => r.QuerySelector("[data-testid=invoice-payment]")!.TextContent.Trim()));
        Assert.Equal("All 6 invoices", TextOf(page, "[data-testid=all-invoices]"));
        Assert.Equal($"admin/invoices?customer={customer.Id}", page.Find("[data-testid=all-invoices]").GetAttribute("href"));
        Assert.Equal($"{stored[^1].Number}: Payment failed", TextOf(page, "[data-testid=latest-payment-state]"));
        Assert.DoesNotContain(foreign.Number!, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACustomerWithNothingBilledYetSaysSoInEachPanelAndTheLocalProviderLinksNowhere()
    {
        var customer = await CreateCustomerAsync();
        // An id left from a time the operator collected through Stripe: with the local provider it leads nowhere.
        await WithDbAsync(db => db.Customers.Where(c => c.Id == customer.Id).ExecuteUpdateAsync(set => set.SetProperty(c => c.ProviderCustomerId, "cus_Earlier123")));

        var page = RenderBilled(customer.Id);

        Assert.Contains("No subscription runs for this customer now", TextOf(page, "[data-testid=period-no-subscription]"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=customer-period] [data-testid=cost-so-far]"));
        Assert.NotNull(page.Find("[data-testid=customer-period] [data-testid=usage-empty]"));
        Assert.StartsWith("No budget, alerts or cap", TextOf(page, "[data-testid=budget-none]"), StringComparison.Ordinal);
        Assert.Equal("0.00 USD", TextOf(page, "[data-testid=customer-credit-balance]"));
        Assert.Contains("No credit to use", TextOf(page, "[data-testid=customer-credits]"), StringComparison.Ordinal);
        Assert.Equal("No invoices yet: the first comes when a billing period closes.", TextOf(page, "[data-testid=invoices-none]"));
        Assert.Equal("All invoices", TextOf(page, "[data-testid=all-invoices]"));
        Assert.Equal("Local", TextOf(page, "[data-testid=payment-provider]"));
        Assert.Equal("none yet", TextOf(page, "[data-testid=latest-payment-state]"));
        Assert.Empty(page.FindAll("[data-testid=stripe-customer-link], a[href*='stripe.com']"));
        Assert.DoesNotContain("cus_Earlier123", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownCustomerIsNotFound()
    {
        var page = RenderPage(987_654);

        page.WaitForAssertion(() => Assert.True(NotFoundCalled));
        Assert.Empty(page.FindAll("h1"));
    }

    [Fact]
    public async Task EditingSavesTheFieldsAndAuditsTheChange()
    {
        var customer = await CreateCustomerAsync();
        var page = RenderBilled(customer.Id);
        page.WaitForElement("[data-testid=edit-customer]").Click();
        Dialogs.WaitForElement(".mud-dialog form");
        // The external id names the customer in events: it cannot change.
        Assert.True(Dialogs.Find("input[data-testid=customer-externalId]").HasAttribute("disabled"));

        Dialogs.Find("input[data-testid=customer-name]").Change("Renamed Customer");
        Dialogs.Find("input[data-testid=customer-taxRate]").Change("0.07");
        Dialogs.Find(".mud-dialog form").Submit();

        page.WaitForAssertion(() => Assert.Equal("Renamed Customer", page.Find("h1").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Contains("Saved Renamed Customer.", SnackbarText(), StringComparison.Ordinal);
        var stored = await WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.Id == customer.Id));
        Assert.Equal(("Renamed Customer", 0.07m, customer.ExternalId), (stored.Name, stored.TaxRate, stored.ExternalId));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "customer.updated" && a.CustomerId == customer.Id && a.Actor == DemoSettings.AdminEmail)));
    }

    [Fact]
    public async Task ABadEditIsNamedAtItsFieldAndCancelKeepsTheCustomer()
    {
        var customer = await CreateCustomerAsync();
        var page = RenderBilled(customer.Id);
        page.WaitForElement("[data-testid=edit-customer]").Click();
        Dialogs.WaitForElement(".mud-dialog form");

        Dialogs.Find("input[data-testid=customer-name]").Change("");
        Dialogs.Find("input[data-testid=customer-email]").Change("not-an-address");
        Dialogs.Find(".mud-dialog form").Submit();

        Dialogs.WaitForAssertion(() => Assert.Equal("Required: 1 to 200 characters.", ErrorAt(Dialogs, "customer-name")));
        Assert.Equal("Enter a valid e-mail address.", ErrorAt(Dialogs, "customer-email"));
        Dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll(".mud-dialog")));
        Assert.Equal(customer.Name, page.Find("h1").TextContent.Trim());
        Assert.Equal((customer.Name, customer.Email), await WithDbAsync(db => db.Customers.Where(c => c.Id == customer.Id).Select(c => ValueTuple.Create(c.Name, c.Email)).SingleAsync()));
    }

    [Fact]
    public async Task AnAdminInvitesAPersonWhoAppearsAmongThePeople()
    {
        var customer = await CreateCustomerAsync();
        var email = $"new-{Guid.NewGuid():N}"[..12] + "@invited.example";
        var page = RenderBilled(customer.Id);
        page.WaitForElement("[data-testid=invite] form");

        Invite(page, email, "New Person");

        Snackbars.WaitForAssertion(() => Assert.Contains($"Invitation sent to {email}.", SnackbarText(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Contains(email, page.Find("[data-testid=members]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Invited", page.Find("[data-testid=members]").TextContent, StringComparison.Ordinal);
        var (customerId, invitedAt) = await WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => ValueTuple.Create(u.CustomerId, u.InvitedAt)).SingleAsync());
        Assert.Equal(customer.Id, customerId);
        Assert.NotNull(invitedAt);
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "user.invited" && a.Subject == $"user:{email}" && a.Actor == DemoSettings.AdminEmail)));
    }

    [Fact]
    public async Task ABadInvitationNamesEachFieldAtItsInputAndStoresNothing()
    {
        var customer = await CreateCustomerAsync();
        var usersBefore = await UserCountAsync();
        var page = RenderBilled(customer.Id);
        page.WaitForElement("[data-testid=invite] form");

        Invite(page, "not-an-address", "");

        page.WaitForAssertion(() => Assert.Equal("Enter a valid e-mail address.", ErrorAt(page, "invite-email")));
        Assert.Equal("Enter the person's name.", ErrorAt(page, "invite-name"));
        Assert.Equal(usersBefore, await UserCountAsync());
        Assert.DoesNotContain("Invitation sent", SnackbarText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDomainRefusesARoleThatIsNotACustomersAndStoresNothing()
    {
        // The form offers only the two customer roles; the service refuses any other (the API reaches it too).
        var customer = await CreateCustomerAsync();
        var usersBefore = await UserCountAsync();

        var result = await Host.WithServicesAsync(services => services.GetRequiredService<Invitations>()
            .InviteAsync(customer.Id, "role@acme.example", "Role", Roles.Admin, DemoSettings.AdminEmail));

        Assert.Equal(ResultKind.Invalid, result.Kind);
        Assert.Equal("Choose CustomerOwner or CustomerMember.", result.ErrorFor("Role"));
        Assert.Equal(usersBefore, await UserCountAsync());
    }

    [Fact]
    public async Task InvitingAnAddressThatAlreadyHasAnAccountAnswersLikeANewInvitationAndChangesNothing()
    {
        var acme = await Host.CustomerIdAsync("acme");
        var usersBefore = await UserCountAsync();
        var fresh = $"fresh-{Guid.NewGuid():N}"[..14] + "@acme.example";
        var page = RenderBilled(acme);
        page.WaitForElement("[data-testid=invite] form");

        Invite(page, DemoSettings.AdminEmail, "Someone");
        Snackbars.WaitForAssertion(() => Assert.Contains($"Invitation sent to {DemoSettings.AdminEmail}.", SnackbarText(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Invite(page, fresh, "Someone");
        Snackbars.WaitForAssertion(() => Assert.Contains($"Invitation sent to {fresh}.", SnackbarText(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        Assert.DoesNotContain("already has an account", SnackbarText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(usersBefore + 1, await UserCountAsync());
        var admin = await WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == DemoSettings.AdminEmail));
        Assert.Null(admin.CustomerId);
        Assert.Null(admin.InvitedAt);
        Assert.DoesNotContain(DemoSettings.AdminEmail, page.Find("[data-testid=members]").TextContent, StringComparison.Ordinal);
    }
}

/// <summary>/admin/customers/{id} when Stripe collects: the customer's page in Stripe's dashboard, once Stripe knows the customer.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CustomerDetailUnderStripeTests(ComponentHost host) : PeopleTestBase(host, services =>
    services.AddSingleton<IPaymentProvider>(_ => Stripe("sk_test_components")))
{
    private static StripePaymentProvider Stripe(string secretKey) =>
        new(Options.Create(new PaymentsOptions { Provider = PaymentsOptions.StripeProvider, Stripe = new StripeOptions { SecretKey = secretKey, WebhookSecret = "whsec_components" } }));

    private IRenderedComponent<CustomerDetail> RenderPayment(int id)
    {
        RenderProviders();
        SignInAsAdmin();
        var page = Render<CustomerDetail>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=customer-payment] .mud-skeleton")), TimeSpan.FromSeconds(30));
        return page;
    }

    [Fact]
    public async Task ACustomerStripeKnowsLinksToItsPageInStripesDashboardInANewTab()
    {
        var customer = await CreateCustomerAsync();
        await WithDbAsync(db => db.Customers.Where(c => c.Id == customer.Id).ExecuteUpdateAsync(set => set.SetProperty(c => c.ProviderCustomerId, "cus_Components123")));

        var page = RenderPayment(customer.Id);

        Assert.Equal("Stripe", page.Find("[data-testid=payment-provider]").TextContent.Trim());
        var link = page.Find("a[data-testid=stripe-customer-link]");
        // A test key's customers live in the dashboard's test mode.
        Assert.Equal("https://dashboard.stripe.com/test/customers/cus_Components123", link.GetAttribute("href"));
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Equal("noopener", link.GetAttribute("rel"));
        Assert.Contains("cus_Components123", link.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACustomerStripeDoesNotKnowYetHasNoLink()
    {
        var customer = await CreateCustomerAsync();

        var page = RenderPayment(customer.Id);

        Assert.Equal("Stripe", page.Find("[data-testid=payment-provider]").TextContent.Trim());
        Assert.Empty(page.FindAll("[data-testid=stripe-customer-link], a[href*='stripe.com']"));
        Assert.Contains("not yet", page.Find("[data-testid=stripe-customer-none]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ALiveKeysCustomersAreInTheDashboardsLiveMode()
    {
        using var live = Stripe("sk_live_components");

        Assert.Equal("https://dashboard.stripe.com/customers/cus_Live123", live.CustomerDashboardUrl(new Customer { ExternalId = "live", Name = "Live", Email = "live@example.test", ProviderCustomerId = "cus_Live123" }));
        Assert.Null(live.CustomerDashboardUrl(new Customer { ExternalId = "new", Name = "New", Email = "new@example.test" }));
    }
}
