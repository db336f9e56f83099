using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>
/// No open registration: people join an organisation by invitation, through an e-mailed link. The invitation forms
/// (Team, a customer's page) are interactive and tested as components (TeamTests, CustomerDetailTests); these tests
/// invite through the domain and accept through the static page.
/// </summary>
public sealed class InvitationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnInvitedPersonSetsAPasswordFromTheEmailedLinkAndSignsInToTheirOrganisation()
    {
        var customerId = await CustomerIdAsync(DemoSettings.CustomerExternalId);

        // Sent from the admin's customer page (its form: CustomerDetailTests in the component tests).
        var invited = await InviteAsync(customerId, "new.person@acme.example", "New Person");
        Assert.Equal("new.person@acme.example", invited.Value);

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
    public async Task ATamperedInvitationCodeShowsTheInvalidLinkPageAndTheAccountStaysInvited()
    {
        Assert.True((await InviteAsync(await CustomerIdAsync("globex"), "tampered@globex.example", "Tampered")).Succeeded);
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

    /// <summary>Invites as the operator's admin does from a customer's page.</summary>
    private Task<Result<string>> InviteAsync(int customerId, string email, string name) =>
        portal.WithServicesAsync(services => services.GetRequiredService<Invitations>().InviteAsync(customerId, email, name, Data.Identity.Roles.CustomerMember, DemoSettings.AdminEmail));
}
