using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;

namespace UsagePortal.Web.Tests.Tenancy;

/// <summary>A customer user sees their own organisation only; another organisation's URLs answer as if they did not exist.</summary>
public sealed class OrganisationIsolationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnotherOrganisationsTeamMemberAnswersNotFound()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);
        var acmeMember = await UserIdAsync(DemoSettings.MemberEmail);

        var response = await client.GetAsync($"/app/team/{acmeMember}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(DemoSettings.MemberEmail, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnknownTeamMemberAnswersTheSameNotFound()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        var unknown = await client.GetAsync($"/app/team/{Guid.NewGuid()}");
        var foreign = await client.GetAsync($"/app/team/{await UserIdAsync(DemoSettings.MemberEmail)}");

        Assert.Equal(unknown.StatusCode, foreign.StatusCode);
        Assert.Equal(PortalClient.Text(await unknown.Content.ReadAsStringAsync()), PortalClient.Text(await foreign.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AnOwnerCannotRemoveAnotherOrganisationsMember()
    {
        using var acmeOwner = portal.CreatePortalClient();
        await acmeOwner.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        var ownMemberPage = await acmeOwner.GetPageAsync($"/app/team/{await UserIdAsync(DemoSettings.MemberEmail)}");
        using var globexOwner = portal.CreatePortalClient();
        await globexOwner.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);
        var fields = await PostableFieldsAsync(globexOwner, "remove-member");

        var response = await globexOwner.PostFormAsync($"/app/team/{await UserIdAsync(DemoSettings.MemberEmail)}", fields, new Dictionary<string, string>());

        // The page removes through its interactive button (TeamMemberTests), never through a form post: Blazor refuses
        // the post before any handler runs (400: no such form) or the page answers 404.
        Assert.Contains("data-testid=\"remove-member\"", ownMemberPage, StringComparison.Ordinal);
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.BadRequest });
        Assert.NotNull(await UserIdAsync(DemoSettings.MemberEmail));
    }

    [Fact]
    public async Task TheTeamPageListsOnlyTheOrganisationsOwnPeople()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        var text = PortalClient.Text(await client.GetPageAsync("/app/team"));

        Assert.Contains(DemoSettings.OtherOwnerEmail, text);
        Assert.DoesNotContain(DemoSettings.CustomerEmail, text);
        Assert.DoesNotContain(DemoSettings.MemberEmail, text);
    }

    [Fact]
    public async Task TheDashboardShowsTheUsersOwnOrganisation()
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        var text = PortalClient.Text(await client.GetPageAsync("/app"));

        Assert.Contains(DemoSettings.OtherCustomerName, text);
        Assert.DoesNotContain(DemoSettings.CustomerName, text);
    }

    [Fact]
    public async Task AMemberSeesNoInvitationFormAndCannotPostOne()
    {
        using var member = portal.CreatePortalClient();
        await member.SignInAsync(DemoSettings.MemberEmail, DemoSettings.CustomerPassword);
        var page = await member.GetPageAsync("/app/team");
        var fields = await PostableFieldsAsync(member, "invite");

        var response = await member.PostFormAsync("/app/team", fields, new Dictionary<string, string>
        {
            ["Input.Email"] = "sneaky@acme.example",
            ["Input.DisplayName"] = "Sneaky",
            ["Input.Role"] = Data.Identity.Roles.CustomerOwner,
        });

        Assert.Null(PortalClient.FindForm(page, "invite"));
        Assert.DoesNotContain("data-testid=\"invite\"", page, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await UserIdAsync("sneaky@acme.example"));
    }

    /// <summary>
    /// A valid antiforgery token of the signed-in user (from the static change-password form; the layout's sign-out form
    /// sits in a menu that renders only when opened) with <paramref name="handler"/> as the form to post to.
    /// </summary>
    private static async Task<Dictionary<string, string>> PostableFieldsAsync(PortalClient client, string handler)
    {
        var form = PortalClient.FindForm(await client.GetPageAsync("/Account/Manage/ChangePassword"), "change-password")!;
        return new Dictionary<string, string>(form.HiddenFields) { ["_handler"] = handler };
    }

    private Task<string?> UserIdAsync(string email) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleOrDefaultAsync());
}
