using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Auditing;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin: the operator's figures at a glance, subscriptions the invoicer cannot invoice, and the latest activity.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class OverviewTests(ComponentHost host) : PeopleTestBase(host)
{
    private IRenderedComponent<Overview> RenderPage()
    {
        SignInAsAdmin();
        var page = Render<Overview>();
        page.WaitForElement("[data-testid=stat-customers-value]", TimeSpan.FromSeconds(10));
        return page;
    }

    [Fact]
    public async Task TheFiguresAreTheDatabasesAndLinkToTheirLists()
    {
        var (customers, drafts) = await WithDbAsync(async db => (await db.Customers.CountAsync(), await db.Invoices.CountAsync(i => i.Status == InvoiceStatuses.Draft)));

        var page = RenderPage();

        Assert.Equal("Overview", page.Find("h1").TextContent.Trim());
        Assert.Single(page.FindAll("h1"));
        var customersValue = page.Find("[data-testid=stat-customers-value]");
        Assert.Equal(customers.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")), customersValue.TextContent.Trim());
        Assert.Equal("admin/customers", customersValue.GetAttribute("href"));
        Assert.Equal(drafts.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-testid=stat-drafts-value]").TextContent.Trim());
        Assert.Equal("admin/invoices?status=draft", page.Find("[data-testid=stat-drafts-value]").GetAttribute("href"));
    }

    [Fact]
    public async Task ASubscriptionTheInvoicerCannotInvoiceIsListedWithItsCustomerAndError()
    {
        var customer = await CreateCustomerAsync(prefix: "failing");
        var subscriptionId = await WithDbAsync(async db =>
        {
            var subscription = new Subscription
            {
                CustomerId = customer.Id, BillingAnchor = "calendar", TimeZone = "UTC", StartsAt = DateTime.UtcNow.AddDays(-40), CreatedAt = DateTime.UtcNow,
                // Ended, so the invoicer leaves it alone while the test runs.
                EndsAt = DateTime.UtcNow.AddDays(-39),
                BillingFailures = 3, BillingFailedAt = DateTime.UtcNow.AddMinutes(-5), BillingError = "Meter 'gone' is not defined.", BillingRetryAt = DateTime.UtcNow.AddHours(1),
            };
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            return subscription.Id;
        });
        try
        {
            var page = RenderPage();

            var item = page.Find($"[data-testid=failing] [data-subscription='{subscriptionId}']");
            Assert.Contains("Failed 3 times in a row", item.TextContent, StringComparison.Ordinal);
            Assert.Contains("Meter 'gone' is not defined.", item.TextContent, StringComparison.Ordinal);
            Assert.Equal($"admin/customers/{customer.Id}", item.QuerySelector("a")!.GetAttribute("href"));
            Assert.Empty(page.FindAll("[data-testid=failing-empty]"));
            Assert.NotEqual("0", page.Find("[data-testid=stat-failing-value]").TextContent.Trim());
        }
        finally
        {
            // Other tests of the shared host expect every subscription to invoice normally.
            await WithDbAsync(db => db.Subscriptions.Where(s => s.Id == subscriptionId).ExecuteUpdateAsync(set => set.SetProperty(s => s.BillingFailures, 0)));
        }
    }

    [Fact]
    public async Task WithoutFailuresThePanelSaysWhatWouldAppearThere()
    {
        var failing = await WithDbAsync(db => db.Subscriptions.CountAsync(s => s.BillingFailures > 0));
        Assert.True(failing == 0, "The demo's subscriptions invoice normally.");

        var page = RenderPage();

        Assert.Contains("When the invoicer cannot invoice one, it shows up here", page.Find("[data-testid=failing-empty]").TextContent, StringComparison.Ordinal);
        Assert.Equal("0", page.Find("[data-testid=stat-failing-value]").TextContent.Trim());
    }

    [Fact]
    public async Task TheLatestActivityShowsTheNewestAuditEntryFirst()
    {
        var subject = $"overview-test:{Guid.NewGuid():N}";
        await WithDbAsync(async db =>
        {
            db.AuditEntries.Add(new AuditEntry { At = DateTime.UtcNow, Actor = DemoSettings.AdminEmail, Action = "overview.tested", Subject = subject });
            return await db.SaveChangesAsync();
        });

        var page = RenderPage();

        var first = page.Find("[data-testid=latest-audit] tbody tr");
        Assert.Contains(subject, first.TextContent, StringComparison.Ordinal);
        Assert.Contains("overview.tested", first.TextContent, StringComparison.Ordinal);
        Assert.Equal("admin/audit", page.Find("[data-testid=latest-audit] a").GetAttribute("href"));
    }
}
