using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;
using UsagePortal.Domain;
using UsagePortal.Domain.Customers;
using UsagePortal.Web.Components.Pages.Portal;
using UsagePortal.Web.ComponentTests.Admin;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/team/{id}: one person of the organisation; another organisation's person is not found, exactly like an unknown id.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class TeamMemberTests(ComponentHost host) : PeopleTestBase(host)
{
    private async Task<int> SignInAsync(string email, string role, string organisation = "acme")
    {
        var customerId = await Host.CustomerIdAsync(organisation);
        SignInAsPerson(customerId, email, role, (await UserIdAsync(email))!);
        return customerId;
    }

    private IRenderedComponent<TeamMember> RenderMember(string userId) => Render<TeamMember>(p => p.Add(m => m.UserId, userId));

    [Fact]
    public async Task AnOwnerSeesAPersonOfTheirOrganisationAndMayRemoveThem()
    {
        await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);

        var page = RenderMember((await UserIdAsync(DemoSettings.MemberEmail))!);

        page.WaitForAssertion(() => Assert.Equal("Max Member", page.Find("h1").TextContent.Trim()));
        var details = page.Find("[data-testid=member-details]").TextContent;
        Assert.Contains(DemoSettings.MemberEmail, details, StringComparison.Ordinal);
        Assert.Contains("Member", details, StringComparison.Ordinal);
        Assert.Contains("Active", details, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=remove-member]"));
        Assert.False(NotFoundCalled);
    }

    [Fact]
    public async Task AnInvitedPersonShowsWhenTheyWereInvited()
    {
        var acme = await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);
        var person = await CreatePersonAsync(acme, name: "Ivy Invited");
        await WithDbAsync(db => db.Users.Where(u => u.Id == person.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.InvitedAt, new DateTime(2026, 3, 9, 15, 0, 0, DateTimeKind.Utc))));

        var page = RenderMember(person.Id);

        // Acme's own zone (America/New_York) and locale.
        page.WaitForAssertion(() => Assert.Contains("Invited 9 Mar 2026, not yet accepted", page.Find("[data-testid=member-details]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnotherOrganisationsPersonIsNotFoundExactlyLikeAnUnknownId()
    {
        await SignInAsync(DemoSettings.OtherOwnerEmail, Roles.CustomerOwner, "globex");

        var foreign = RenderMember((await UserIdAsync(DemoSettings.MemberEmail))!);

        foreign.WaitForAssertion(() => Assert.True(NotFoundCalled));
        Assert.DoesNotContain(DemoSettings.MemberEmail, foreign.Markup, StringComparison.Ordinal);
        Assert.Empty(foreign.FindAll("h1"));
        var foreignMarkup = foreign.Markup;

        NotFoundCalled = false;
        var unknown = RenderMember(Guid.NewGuid().ToString());

        unknown.WaitForAssertion(() => Assert.True(NotFoundCalled));
        Assert.Equal(foreignMarkup, unknown.Markup);
    }

    [Fact]
    public async Task AMemberReadsAnOwnersPageWithoutARemoveButton()
    {
        await SignInAsync(DemoSettings.MemberEmail, Roles.CustomerMember);

        var page = RenderMember((await UserIdAsync(DemoSettings.CustomerEmail))!);

        page.WaitForAssertion(() => Assert.Contains("Owner", page.Find("[data-testid=member-details]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=remove-member]"));
    }

    [Fact]
    public async Task AnOwnerCannotRemoveThemselves()
    {
        await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);

        var page = RenderMember((await UserIdAsync(DemoSettings.CustomerEmail))!);

        page.WaitForAssertion(() => Assert.Equal("Olivia Owner", page.Find("h1").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=remove-member]"));
    }

    [Fact]
    public async Task RemovingAPersonAsksFirstThenGoesBackToTheTeam()
    {
        RenderProviders();
        var acme = await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);
        var person = await CreatePersonAsync(acme, name: "Otto Outgoing");
        var page = RenderMember(person.Id);
        page.WaitForElement("[data-testid=remove-member]");

        page.Find("[data-testid=remove-member]").Click();
        Answer("Cancel");
        Assert.NotNull(await UserIdAsync(person.Email!));

        page.Find("[data-testid=remove-member]").Click();
        Assert.Contains("Remove Otto Outgoing?", DialogText(), StringComparison.Ordinal);
        Answer("Remove");

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith("/app/team", navigation.Uri, StringComparison.Ordinal));
        Assert.Null(await UserIdAsync(person.Email!));
        Assert.Contains("Otto Outgoing was removed from Acme Analytics.", SnackbarText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDomainRefusesRemovingAnotherOrganisationsPersonYourselfOrTheLastOwner()
    {
        var acme = await Host.CustomerIdAsync("acme");
        var globex = await Host.CustomerIdAsync("globex");
        var memberId = (await UserIdAsync(DemoSettings.MemberEmail))!;
        var globexOwnerId = (await UserIdAsync(DemoSettings.OtherOwnerEmail))!;
        var acmeOwnerId = (await UserIdAsync(DemoSettings.CustomerEmail))!;

        Task<Result<TeamMemberRow>> RemoveAsync(int customerId, string userId, string actingId, string actor) =>
            Host.WithServicesAsync(services => services.GetRequiredService<TeamService>().RemoveAsync(customerId, userId, actingId, actor));

        // Globex's owner names Acme's member: not found in Globex, as if there were no such person.
        Assert.Equal(ResultKind.NotFound, (await RemoveAsync(globex, memberId, globexOwnerId, DemoSettings.OtherOwnerEmail)).Kind);
        Assert.Equal(ResultKind.Conflict, (await RemoveAsync(acme, acmeOwnerId, acmeOwnerId, DemoSettings.CustomerEmail)).Kind);
        // An admin (no user of the organisation) removing an organisation's only owner (an organisation of this test's
        // own: other tests invite owners into the demo's).
        var customer = await CreateCustomerAsync();
        var onlyOwner = await CreatePersonAsync(customer.Id, Roles.CustomerOwner);
        await CreatePersonAsync(customer.Id, Roles.CustomerMember);
        var lastOwner = await RemoveAsync(customer.Id, onlyOwner.Id, "someone-else", DemoSettings.AdminEmail);
        Assert.Equal(ResultKind.Conflict, lastOwner.Kind);
        Assert.Contains("last owner", lastOwner.Errors.Single().Reason, StringComparison.Ordinal);
        Assert.NotNull(await UserIdAsync(DemoSettings.MemberEmail));
        Assert.NotNull(await UserIdAsync(onlyOwner.Email!));
    }
}
