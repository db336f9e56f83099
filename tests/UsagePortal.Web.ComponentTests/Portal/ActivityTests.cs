using UsagePortal.Data.Auditing;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Pages.Portal;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/activity: what changed on the organisation's account, when and by whom, and nothing of anyone else's.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class ActivityTests(ComponentHost host) : BillingPageTest(host)
{
    [Fact]
    public async Task ChangesShowNewestFirstWithWhoMadeThemAndNoOtherOrganisationsEntries()
    {
        var customer = await CreateCustomerAsync(prefix: "activity");
        var other = await CreateCustomerAsync(prefix: "activity");
        var member = await Host.CreateUserAsync($"m-{Guid.NewGuid():N}"[..12] + "@activity.test", "Member!Pass1", Roles.CustomerOwner, customer.Id);
        var invoice = await CreateInvoiceAsync(customer.Id);
        await CreateGrantUsedByAsync(customer.Id, 1500, invoice.Id);
        await WithDbAsync(async db =>
        {
            var at = DateTime.UtcNow;
            db.AuditEntries.AddRange(
                new AuditEntry { At = at.AddHours(-5), Actor = "admin@usageportal.local", Action = "credit.granted", Subject = "credit-grant:1", Details = "25.00 USD: goodwill", CustomerId = customer.Id },
                new AuditEntry { At = at.AddHours(-4), Actor = "api-key:7", Action = "subscription.plan_changed", Subject = "subscription:1", Details = "from Starter to Growth", CustomerId = customer.Id },
                new AuditEntry { At = at.AddHours(-3), Actor = member.Email!, Action = "budget.updated", Subject = $"customer:{customer.Id}", Details = "budget 500.00 USD", CustomerId = customer.Id },
                new AuditEntry { At = at.AddHours(-2), Actor = "admin@usageportal.local", Action = "apikey.created", Subject = "apikey:9", Details = "not the customer's business", CustomerId = customer.Id },
                new AuditEntry { At = at.AddHours(-1), Actor = "admin@usageportal.local", Action = "invoice.voided", Subject = "invoice:INV-9", Details = "Other organisation's void", CustomerId = other.Id });
            return await db.SaveChangesAsync();
        });
        SignInAsCustomer(customer.Id, "someone@activity.test", Roles.CustomerMember);

        var page = Render<Activity>();

        page.WaitForElement("[data-testid=activity-row]");
        var rows = page.FindAll("[data-testid=activity-row]");
        // The credit was used by an invoice a day ago; the rest happened hours ago.
        Assert.Equal(["budget.updated", "subscription.plan_changed", "credit.granted", "credit.applied"], rows.Select(r => r.GetAttribute("data-kind")));
        Assert.Contains(member.Email!, Text(rows[0]), StringComparison.Ordinal);
        Assert.Contains("Your provider, through its API", Text(rows[1]), StringComparison.Ordinal);
        Assert.Contains("Your provider's staff", Text(rows[2]), StringComparison.Ordinal);
        Assert.Contains("Credit used: 15.00 USD", Text(rows[3]), StringComparison.Ordinal);
        Assert.Contains("Billing, automatically", Text(rows[3]), StringComparison.Ordinal);
        Assert.DoesNotContain("admin@usageportal.local", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Other organisation", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANewAccountSaysWhatWillShowHere()
    {
        var customer = await CreateCustomerAsync(prefix: "activity");
        SignInAsCustomer(customer.Id, "someone@activity.test", Roles.CustomerMember);

        var page = Render<Activity>();

        Assert.Contains("Nothing has changed on your account yet", page.WaitForElement("[data-testid=activity-empty]").TextContent, StringComparison.Ordinal);
    }
}
