using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>The profile page (/Account/Manage) over real HTTP, with the framework's own form binding.</summary>
public sealed class ProfileTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task APhoneNumberCanBeSetAndThenCleared()
    {
        var email = $"profile-{Guid.NewGuid():N}"[..20] + "@acme.example";
        await portal.CreateUserAsync(email, "Profile!Pass1", Roles.Admin, customerId: null);
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(email, "Profile!Pass1");

        var set = await client.SubmitFormAsync("/Account/Manage", "profile", new Dictionary<string, string> { ["Input.PhoneNumber"] = "+1 555 0100" });
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.Equal("+1 555 0100", await PhoneAsync(email));

        // An emptied field removes the number; it does not quietly keep the stored one.
        var cleared = await client.SubmitFormAsync("/Account/Manage", "profile", new Dictionary<string, string> { ["Input.PhoneNumber"] = "" });
        Assert.True(cleared.StatusCode == HttpStatusCode.Redirect, PortalClient.Text(await cleared.Content.ReadAsStringAsync()));
        Assert.Null(await PhoneAsync(email));
    }

    private Task<string?> PhoneAsync(string email) => portal.WithServicesAsync(async services =>
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.GetPhoneNumberAsync((await users.FindByEmailAsync(email))!);
    });
}
