using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>
/// A session ends soon after the person loses access: removed from the organisation, or the password changed in
/// another session. The sign-in cookie is checked against the account every Security:SessionRevalidationInterval
/// (a minute by default); these tests set it to zero, so the very next request is checked.
/// </summary>
public sealed class SessionRevocationTests(SessionRevocationTests.EveryRequestPortal portal) : IClassFixture<SessionRevocationTests.EveryRequestPortal>
{
    [Fact]
    public async Task AMemberRemovedByTheOwnerIsSentToSignInAtTheirNextRequest()
    {
        var acme = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == DemoSettings.CustomerExternalId).Select(c => c.Id).SingleAsync());
        var member = await portal.CreateUserAsync("removed-member@acme.example", "Member!Pass123", Roles.CustomerMember, acme);
        using var memberClient = portal.CreatePortalClient();
        await memberClient.SignInAsync("removed-member@acme.example", "Member!Pass123");
        Assert.Equal(HttpStatusCode.OK, (await memberClient.GetAsync("/app/invoices")).StatusCode);

        // What the owner's Remove on the Team page does (the page itself: TeamTests and TeamMemberTests, component tests).
        var ownerId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Users.Where(u => u.Email == DemoSettings.CustomerEmail).Select(u => u.Id).SingleAsync());
        var removed = await portal.WithServicesAsync(services => services.GetRequiredService<TeamService>().RemoveAsync(acme, member.Id, ownerId, DemoSettings.CustomerEmail));
        Assert.True(removed.Succeeded);

        var next = await memberClient.GetAsync("/app/invoices");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Equal("/Account/Login", next.Headers.Location!.AbsolutePath());
    }

    [Fact]
    public async Task ChangingThePasswordInOneSessionEndsTheOtherSessionsOfThatUser()
    {
        await portal.CreateUserAsync("two-sessions@acme.example", "Current!Pass1", Roles.Admin, customerId: null);
        using var laptop = portal.CreatePortalClient();
        using var phone = portal.CreatePortalClient();
        await laptop.SignInAsync("two-sessions@acme.example", "Current!Pass1");
        await phone.SignInAsync("two-sessions@acme.example", "Current!Pass1");

        var changed = await phone.SubmitFormAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "Current!Pass1",
            ["Input.NewPassword"] = "Brand!NewPass2",
            ["Input.ConfirmPassword"] = "Brand!NewPass2",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        var oldSession = await laptop.GetAsync("/admin/customers");
        Assert.Equal(HttpStatusCode.Redirect, oldSession.StatusCode);
        Assert.Equal("/Account/Login", oldSession.Headers.Location!.AbsolutePath());
        Assert.Equal(HttpStatusCode.OK, (await phone.GetAsync("/admin/customers")).StatusCode);
    }

    [Fact]
    public async Task ByDefaultASessionIsCheckedAgainstTheAccountEveryMinute()
    {
        await using var defaults = new UnseededPortal();

        var interval = defaults.Services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value.ValidationInterval;

        Assert.Equal(TimeSpan.FromMinutes(1), interval);
    }

    /// <summary>The portal with its default session settings, without the demo (not needed here).</summary>
    private sealed class UnseededPortal : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Demo:Seed", "false")];
    }

    /// <summary>The portal checking each session against its account at every request.</summary>
    public sealed class EveryRequestPortal : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Security:SessionRevalidationInterval", "00:00:00")];
    }
}
