using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>
/// Nothing the portal answers tells whether an e-mail address has an account: not sign-in, not invitations, not
/// invitation links. The invitation forms are interactive: TeamTests and CustomerDetailTests (component tests) show
/// that inviting an existing address answers like a new one and changes nothing.
/// </summary>
public sealed class AccountEnumerationTests(AccountEnumerationTests.CountingHasherPortal portal) : IClassFixture<AccountEnumerationTests.CountingHasherPortal>
{
    [Fact]
    public async Task SigningInAsAnUnknownAccountHashesThePasswordOnceJustLikeAWrongPasswordForAKnownOne()
    {
        await portal.CreateUserAsync("known-timing@acme.example", "Right!Password1", Roles.CustomerMember, customerId: null);
        using var client = portal.CreatePortalClient();

        var knownText = await SubmitLoginAsync(client, "known-timing@acme.example", "Marker!Known-1");
        var unknownText = await SubmitLoginAsync(client, "nobody-timing@acme.example", "Marker!Unknown-1");

        // Equal work: one slow hash each, so the time taken does not tell an unknown address from a known one.
        Assert.Equal(1, portal.Hasher.CallsWith("Marker!Known-1"));
        Assert.Equal(1, portal.Hasher.CallsWith("Marker!Unknown-1"));
        Assert.Contains("Wrong e-mail or password.", knownText);
        Assert.Contains("Wrong e-mail or password.", unknownText);
    }

    [Fact]
    public async Task ABadInvitationLinkShowsTheSameGenericPageWhetherOrNotTheUserExists()
    {
        var globex = await CustomerIdAsync("globex");
        var invited = await portal.WithServicesAsync(services => services.GetRequiredService<Invitations>()
            .InviteAsync(globex, "pending-enumeration@globex.example", "Penelope Pending", Roles.CustomerMember, DemoSettings.AdminEmail));
        Assert.True(invited.Succeeded);
        var pendingId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Users.Where(u => u.Email == "pending-enumeration@globex.example").Select(u => u.Id).SingleAsync());
        using var visitor = portal.CreatePortalClient();

        var existingUser = PortalClient.Text(await visitor.GetPageAsync($"/Account/AcceptInvitation?userId={pendingId}&code=AAAA"));
        var noSuchUser = PortalClient.Text(await visitor.GetPageAsync($"/Account/AcceptInvitation?userId={Guid.NewGuid()}&code=AAAA"));

        Assert.Contains("This invitation link is invalid or has expired", existingUser);
        Assert.DoesNotContain("Penelope", existingUser);
        Assert.DoesNotContain("pending-enumeration", existingUser);
        Assert.Equal(noSuchUser, existingUser);
    }

    private static async Task<string> SubmitLoginAsync(PortalClient client, string email, string password)
    {
        var response = await client.SubmitFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        return PortalClient.Text(await response.Content.ReadAsStringAsync());
    }

    private Task<int> CustomerIdAsync(string externalId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync());

    /// <summary>The portal with its password hasher wrapped in a counter, to see how often a request hashes.</summary>
    public sealed class CountingHasherPortal : PortalFactory
    {
        public CountingPasswordHasher Hasher { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<ApplicationUser>>(Hasher));
        }
    }

    /// <summary>The real hasher (same algorithm and cost), counting each hash or verification by the password it is given.</summary>
    public sealed class CountingPasswordHasher : IPasswordHasher<ApplicationUser>
    {
        private readonly PasswordHasher<ApplicationUser> inner = new();
        private readonly Dictionary<string, int> calls = [];

        public int CallsWith(string password)
        {
            lock (calls)
            {
                return calls.GetValueOrDefault(password);
            }
        }

        public string HashPassword(ApplicationUser user, string password)
        {
            Count(password);
            return inner.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
        {
            Count(providedPassword);
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }

        private void Count(string password)
        {
            lock (calls)
            {
                calls[password] = calls.GetValueOrDefault(password) + 1;
            }
        }
    }
}
