using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Pages.Portal;
using UsagePortal.Web.ComponentTests.Admin;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/team: the organisation's people; owners invite and remove, members read.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class TeamTests(ComponentHost host) : PeopleTestBase(host)
{
    private async Task<int> SignInAsync(string email, string role, string organisation = "acme")
    {
        var customerId = await Host.CustomerIdAsync(organisation);
        SignInAsPerson(customerId, email, role, (await UserIdAsync(email))!);
        return customerId;
    }

    [Fact]
    public async Task AnOwnerSeesTheirOrganisationsPeopleAndTheInvitationForm()
    {
        await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);

        var page = Render<Team>();

        page.WaitForAssertion(() => Assert.Contains(DemoSettings.MemberEmail, Text(page)));
        Assert.Contains(DemoSettings.CustomerEmail, Text(page));
        Assert.DoesNotContain(DemoSettings.OtherOwnerEmail, Text(page));
        Assert.Single(page.FindAll("h1"));
        Assert.NotNull(page.Find("[data-testid=invite] form"));
        // Names link to each person's page.
        var memberId = (await UserIdAsync(DemoSettings.MemberEmail))!;
        Assert.Contains(page.FindAll("[data-testid=members] a"), a => a.GetAttribute("href") == $"app/team/{Uri.EscapeDataString(memberId)}");
    }

    [Fact]
    public async Task AnotherOrganisationsOwnerSeesOnlyTheirOwnPeople()
    {
        await SignInAsync(DemoSettings.OtherOwnerEmail, Roles.CustomerOwner, "globex");

        var page = Render<Team>();

        page.WaitForAssertion(() => Assert.Contains(DemoSettings.OtherOwnerEmail, Text(page)));
        Assert.DoesNotContain(DemoSettings.CustomerEmail, Text(page));
        Assert.DoesNotContain(DemoSettings.MemberEmail, Text(page));
    }

    [Fact]
    public async Task AMemberReadsTheListWithoutTheInvitationFormOrRemoveButtons()
    {
        await SignInAsync(DemoSettings.MemberEmail, Roles.CustomerMember);

        var page = Render<Team>();

        page.WaitForAssertion(() => Assert.Contains(DemoSettings.CustomerEmail, Text(page)));
        Assert.Empty(page.FindAll("[data-testid=invite]"));
        Assert.Empty(page.FindAll("[data-testid=remove-member]"));
        Assert.Contains("Ask one of them", page.Find("[data-testid=owners-only]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOwnerCanRemoveOthersButNotThemselves()
    {
        await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);

        var page = Render<Team>();

        page.WaitForAssertion(() => Assert.Contains(DemoSettings.MemberEmail, Text(page)));
        var removable = page.FindAll("[data-testid=remove-member]").Select(b => b.GetAttribute("aria-label")).ToList();
        Assert.Contains("Remove Max Member", removable);
        Assert.DoesNotContain(removable, label => label!.Contains("Olivia", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnOwnerInvitesIntoTheirOwnOrganisationAndTheInvitationIsAudited()
    {
        RenderProviders();
        var globex = await SignInAsync(DemoSettings.OtherOwnerEmail, Roles.CustomerOwner, "globex");
        var email = $"colleague-{Guid.NewGuid():N}"[..18] + "@globex.example";
        var page = Render<Team>();
        page.WaitForElement("[data-testid=invite] form");

        page.Find("input[data-testid=invite-name]").Change("Colleague");
        page.Find("input[data-testid=invite-email]").Change(email);
        page.FindAll("[data-testid=invite-role] input[type=radio]")[1].Click();
        page.Find("[data-testid=invite] form").Submit();

        Snackbars.WaitForAssertion(() => Assert.Contains($"Invitation sent to {email}.", SnackbarText(), StringComparison.Ordinal));
        var (customerId, role, audited) = await WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == email);
            var roleName = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name).SingleAsync();
            return (user.CustomerId, roleName, await db.AuditEntries.AnyAsync(a => a.Action == "user.invited" && a.Subject == $"user:{email}" && a.CustomerId == user.CustomerId && a.Actor == DemoSettings.OtherOwnerEmail));
        });
        Assert.Equal((globex, Roles.CustomerOwner, true), (customerId, role, audited));
        // The list shows the invited person at once, and the form is empty for the next one.
        page.WaitForAssertion(() => Assert.Contains(email, Text(page)));
        Assert.Equal("", page.Find("input[data-testid=invite-email]").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task InvitingSomeoneElsesAddressIsAnsweredLikeANewInvitationAndChangesNothing()
    {
        RenderProviders();
        await SignInAsync(DemoSettings.OtherOwnerEmail, Roles.CustomerOwner, "globex");
        var usersBefore = await UserCountAsync();
        var page = Render<Team>();
        page.WaitForElement("[data-testid=invite] form");

        page.Find("input[data-testid=invite-name]").Change("Someone");
        page.Find("input[data-testid=invite-email]").Change(DemoSettings.CustomerEmail);
        page.Find("[data-testid=invite] form").Submit();

        Snackbars.WaitForAssertion(() => Assert.Contains($"Invitation sent to {DemoSettings.CustomerEmail}.", SnackbarText(), StringComparison.Ordinal));
        Assert.DoesNotContain("already has an account", SnackbarText(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(usersBefore, await UserCountAsync());
        Assert.Equal(await Host.CustomerIdAsync("acme"), await WithDbAsync(db => db.Users.Where(u => u.Email == DemoSettings.CustomerEmail).Select(u => u.CustomerId).SingleAsync()));
        Assert.DoesNotContain(DemoSettings.CustomerEmail, Text(page));
    }

    [Fact]
    public async Task AnOwnerRemovesAPersonOnceTheyConfirm()
    {
        RenderProviders();
        var acme = await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);
        var person = await CreatePersonAsync(acme, name: "Rita Removable");
        var page = Render<Team>();
        page.WaitForAssertion(() => Assert.Contains(person.Email!, Text(page)));

        page.Find("[aria-label='Remove Rita Removable']").Click();
        Assert.Contains($"Rita Removable ({person.Email}) will no longer be able to sign in", DialogText(), StringComparison.Ordinal);
        Answer("Remove");

        Snackbars.WaitForAssertion(() => Assert.Contains("Rita Removable was removed from Acme Analytics.", SnackbarText(), StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.DoesNotContain(person.Email!, Text(page)));
        Assert.Null(await UserIdAsync(person.Email!));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "user.removed" && a.Subject == $"user:{person.Email}" && a.CustomerId == acme && a.Actor == DemoSettings.CustomerEmail)));
    }

    [Fact]
    public async Task CancellingTheRemovalKeepsThePerson()
    {
        RenderProviders();
        var acme = await SignInAsync(DemoSettings.CustomerEmail, Roles.CustomerOwner);
        var person = await CreatePersonAsync(acme, name: "Kim Kept");
        var page = Render<Team>();
        page.WaitForAssertion(() => Assert.Contains(person.Email!, Text(page)));

        page.Find("[aria-label='Remove Kim Kept']").Click();
        Answer("Cancel");

        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll(".mud-dialog")));
        Assert.NotNull(await UserIdAsync(person.Email!));
        Assert.Contains(person.Email!, Text(page));
        Assert.DoesNotContain("was removed", SnackbarText(), StringComparison.Ordinal);
    }
}
