using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>No open registration: people join an organisation by invitation, through an e-mailed link.</summary>
public sealed class InvitationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnInvitedPersonSetsAPasswordFromTheEmailedLinkAndSignsInToTheirOrganisation()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        var customerId = await CustomerIdAsync(DemoSettings.CustomerExternalId);

        var invited = await admin.SubmitFormAsync($"/admin/customers/{customerId}", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "new.person@acme.example",
            ["Input.DisplayName"] = "New Person",
            ["Input.Role"] = Data.Identity.Roles.CustomerMember,
        });
        Assert.Contains("Invitation sent to new.person@acme.example", PortalClient.Text(await invited.Content.ReadAsStringAsync()));

        var link = await portal.LinkSentToAsync("new.person@acme.example");
        Assert.StartsWith("/Account/AcceptInvitation?", link, StringComparison.Ordinal);
        using var person = portal.CreatePortalClient();
        var accepted = await person.SubmitFormAsync(link, "accept-invitation", new Dictionary<string, string>
        {
            ["Input.Password"] = "Fresh!Password9",
            ["Input.ConfirmPassword"] = "Fresh!Password9",
        });
        Assert.Equal("/Account/Login", accepted.Headers.Location!.AbsolutePath());

        await person.SignInAsync("new.person@acme.example", "Fresh!Password9");
        Assert.Contains(DemoSettings.CustomerName, PortalClient.Text(await person.GetPageAsync("/app")));
        var again = await person.GetPageAsync(link);
        Assert.Contains("invalid or has expired, or it was already used", PortalClient.Text(again));
    }

    [Fact]
    public async Task AnOwnerInvitesIntoTheirOwnOrganisationAndTheInvitationIsAudited()
    {
        using var owner = portal.CreatePortalClient();
        await owner.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        await owner.SubmitFormAsync("/app/team", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "colleague@globex.example",
            ["Input.DisplayName"] = "Colleague",
            ["Input.Role"] = Data.Identity.Roles.CustomerOwner,
        });

        var (customerId, audited) = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var user = await db.Users.SingleAsync(u => u.Email == "colleague@globex.example");
            return (user.CustomerId, await db.AuditEntries.AnyAsync(a => a.Action == "user.invited" && a.Subject == "user:colleague@globex.example" && a.CustomerId == user.CustomerId));
        });
        Assert.Equal(await CustomerIdAsync("globex"), customerId);
        Assert.True(audited);
        Assert.Contains("colleague@globex.example", PortalClient.Text(await owner.GetPageAsync("/app/team")));
    }

    [Fact]
    public async Task ABadInvitationNamesTheFieldAndStoresNothing()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        var customerId = await CustomerIdAsync(DemoSettings.CustomerExternalId);
        var usersBefore = await UserCountAsync();

        var badEmail = await admin.SubmitFormAsync($"/admin/customers/{customerId}", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "not-an-address",
            ["Input.DisplayName"] = "",
            ["Input.Role"] = Data.Identity.Roles.CustomerMember,
        });
        var badRole = await admin.SubmitFormAsync($"/admin/customers/{customerId}", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "role@acme.example",
            ["Input.DisplayName"] = "Role",
            ["Input.Role"] = Data.Identity.Roles.Admin,
        });

        var badEmailText = PortalClient.Text(await badEmail.Content.ReadAsStringAsync());
        Assert.Contains("Enter a valid e-mail address.", badEmailText);
        Assert.Contains("Enter the person's name.", badEmailText);
        Assert.Contains("Choose CustomerOwner or CustomerMember.", PortalClient.Text(await badRole.Content.ReadAsStringAsync()));
        Assert.Equal(usersBefore, await UserCountAsync());
    }

    [Fact]
    public async Task ATamperedInvitationCodeShowsTheInvalidLinkPageAndTheAccountStaysInvited()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        await admin.SubmitFormAsync($"/admin/customers/{await CustomerIdAsync("globex")}", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "tampered@globex.example",
            ["Input.DisplayName"] = "Tampered",
            ["Input.Role"] = Data.Identity.Roles.CustomerMember,
        });
        var link = await portal.LinkSentToAsync("tampered@globex.example");
        var tampered = link.Replace("code=", "code=AAAA", StringComparison.Ordinal);
        using var person = portal.CreatePortalClient();

        var page = await person.GetAsync(tampered);
        var text = PortalClient.Text(await page.Content.ReadAsStringAsync());
        // Even the real link's form, posted by hand with the tampered code, sets no password (the page has no such form to take it).
        var form = PortalClient.FindForm(await person.GetPageAsync(link), "accept-invitation")!;
        var hidden = new Dictionary<string, string>(form.HiddenFields);
        hidden["Input.Code"] = "AAAA" + hidden["Input.Code"];
        var posted = await person.PostFormAsync(tampered, hidden, new Dictionary<string, string>
        {
            ["Input.Password"] = "Fresh!Password9",
            ["Input.ConfirmPassword"] = "Fresh!Password9",
        });

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("This invitation link is invalid or has expired", text);
        Assert.DoesNotContain("Tampered", text);
        Assert.NotEqual(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("Choose a password", PortalClient.Text(await person.GetPageAsync(link)));
    }

    private Task<int> CustomerIdAsync(string externalId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync());

    private Task<int> UserCountAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Users.CountAsync());
}
