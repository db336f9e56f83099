using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;
using UsagePortal.Domain;
using UsagePortal.Domain.Customers;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/customers/{id}: the customer's details, editing them, its people and inviting one.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CustomerDetailTests(ComponentHost host) : PeopleTestBase(host)
{
    private IRenderedComponent<CustomerDetail> RenderPage(int id)
    {
        RenderProviders();
        SignInAsAdmin();
        return Render<CustomerDetail>(p => p.Add(c => c.Id, id));
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
        var page = RenderPage(customer.Id);
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
        var page = RenderPage(customer.Id);
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
        var page = RenderPage(customer.Id);
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
        var page = RenderPage(customer.Id);
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
        var page = RenderPage(acme);
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
