using System.Net;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Identity;

public sealed class ChangePasswordTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AWrongCurrentPasswordIsRefusedAndTheOldPasswordStillWorks()
    {
        await portal.CreateUserAsync("change-wrong@acme.example", "Current!Pass1", Roles.Admin, customerId: null);
        using var client = portal.CreatePortalClient();
        await client.SignInAsync("change-wrong@acme.example", "Current!Pass1");

        var response = await client.SubmitFormAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "Not!ThePass1",
            ["Input.NewPassword"] = "Brand!NewPass2",
            ["Input.ConfirmPassword"] = "Brand!NewPass2",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Incorrect password", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        using var again = portal.CreatePortalClient();
        await again.SignInAsync("change-wrong@acme.example", "Current!Pass1");
    }

    [Fact]
    public async Task ANewPasswordThatDoesNotMatchItsConfirmationIsRefused()
    {
        await portal.CreateUserAsync("change-mismatch@acme.example", "Current!Pass1", Roles.Admin, customerId: null);
        using var client = portal.CreatePortalClient();
        await client.SignInAsync("change-mismatch@acme.example", "Current!Pass1");

        var response = await client.SubmitFormAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "Current!Pass1",
            ["Input.NewPassword"] = "Brand!NewPass2",
            ["Input.ConfirmPassword"] = "Different!Pass3",
        });

        Assert.Contains("do not match", PortalClient.Text(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task TheRightCurrentPasswordChangesIt()
    {
        await portal.CreateUserAsync("change-ok@acme.example", "Current!Pass1", Roles.Admin, customerId: null);
        using var client = portal.CreatePortalClient();
        await client.SignInAsync("change-ok@acme.example", "Current!Pass1");

        var response = await client.SubmitFormAsync("/Account/Manage/ChangePassword", "change-password", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "Current!Pass1",
            ["Input.NewPassword"] = "Brand!NewPass2",
            ["Input.ConfirmPassword"] = "Brand!NewPass2",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        using var again = portal.CreatePortalClient();
        await again.SignInAsync("change-ok@acme.example", "Brand!NewPass2");
    }
}
