using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Customers;

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
    public async Task AnInvitationLinkStartsWithTheConfiguredAddress()
    {
        // Invitations are sent from interactive pages (Team, a customer's page), whose circuit has no request of its
        // own to take a host from: the domain builds the link from the configured address alone.
        var customerId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == DemoSettings.CustomerExternalId).Select(c => c.Id).SingleAsync());

        var invited = await portal.WithServicesAsync(services => services.GetRequiredService<Invitations>()
            .InviteAsync(customerId, "configured-invite@acme.example", "Configured Invite", Roles.CustomerMember, DemoSettings.CustomerEmail));

        Assert.True(invited.Succeeded);
        var link = await portal.AbsoluteLinkSentToAsync("configured-invite@acme.example");
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
