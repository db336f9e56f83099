using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>
/// Every link in an e-mail starts with the configured public address (App:PublicBaseUrl), never with the Host header
/// of the request that caused the e-mail: a forged Host must not turn a reset or invitation link into the attacker's.
/// </summary>
public sealed class EmailLinkTests(EmailLinkTests.ConfiguredAddressPortal portal) : IClassFixture<EmailLinkTests.ConfiguredAddressPortal>
{
    private const string Attacker = "attacker.example";

    [Fact]
    public async Task AForgedHostOnForgotPasswordStillSendsAResetLinkToTheConfiguredAddress()
    {
        await portal.CreateUserAsync("forged-reset@acme.example", "Original!Pass1", Roles.CustomerMember, customerId: null);
        using var client = ForgedHostClient();

        await client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = "forged-reset@acme.example" });

        var link = await portal.AbsoluteLinkSentToAsync("forged-reset@acme.example");
        Assert.StartsWith(ConfiguredAddressPortal.Address + "Account/ResetPassword?code=", link.AbsoluteUri, StringComparison.Ordinal);
        Assert.DoesNotContain(Attacker, link.AbsoluteUri, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AForgedHostOnTheAdminInvitePageStillSendsAnInvitationLinkToTheConfiguredAddress()
    {
        using var admin = ForgedHostClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        var customerId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == DemoSettings.CustomerExternalId).Select(c => c.Id).SingleAsync());

        await admin.SubmitFormAsync($"/admin/customers/{customerId}", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "forged-admin-invite@acme.example",
            ["Input.DisplayName"] = "Forged Admin Invite",
            ["Input.Role"] = Roles.CustomerMember,
        });

        var link = await portal.AbsoluteLinkSentToAsync("forged-admin-invite@acme.example");
        Assert.StartsWith(ConfiguredAddressPortal.Address + "Account/AcceptInvitation?", link.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForgedHostOnTheOwnersTeamInviteStillSendsAnInvitationLinkToTheConfiguredAddress()
    {
        using var owner = ForgedHostClient();
        await owner.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        await owner.SubmitFormAsync("/app/team", "invite", new Dictionary<string, string>
        {
            ["Input.Email"] = "forged-team-invite@globex.example",
            ["Input.DisplayName"] = "Forged Team Invite",
            ["Input.Role"] = Roles.CustomerMember,
        });

        var link = await portal.AbsoluteLinkSentToAsync("forged-team-invite@globex.example");
        Assert.StartsWith(ConfiguredAddressPortal.Address + "Account/AcceptInvitation?", link.AbsoluteUri, StringComparison.Ordinal);
    }

    private PortalClient ForgedHostClient()
    {
        var client = portal.CreatePortalClient();
        client.Http.DefaultRequestHeaders.Host = Attacker;
        return client;
    }

    /// <summary>The portal with a public address of its own, unlike the in-process server's.</summary>
    public sealed class ConfiguredAddressPortal : PortalFactory
    {
        public const string Address = "https://portal.usageportal.test/";

        protected override string? PublicBaseUrl => Address;
    }
}
