using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Web.Tests.Api;

namespace UsagePortal.Web.Tests.Tenancy;

/// <summary>For every page: anonymous users are sent to sign-in, customers are kept out of the admin area, admins out of the portal.</summary>
public sealed class PageAuthorizationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    public static TheoryData<string> ProtectedPages => PageCatalog.Templates(PageCatalog.Protected);

    public static TheoryData<string> AdminPages => PageCatalog.Templates(PageCatalog.All.Where(p => p.IsAdmin));

    public static TheoryData<string> PortalPages => PageCatalog.Templates(PageCatalog.All.Where(p => p.IsPortal));

    public static TheoryData<string> AnySignedInUserPages => PageCatalog.Templates(PageCatalog.All.Where(p => PageCatalog.AnySignedInUser.Contains(p.Template)));

    [Fact]
    public void EveryPageIsEitherPublicOrNeedsASignedInUser()
    {
        var unprotected = PageCatalog.Protected.Where(p => PageCatalog.AuthorizeOf(p.Component) is null).ToList();

        Assert.Empty(unprotected);
        Assert.Contains(PageCatalog.All, p => p.IsAdmin);
        Assert.Contains(PageCatalog.All, p => p.IsPortal);
    }

    [Fact]
    public void EveryProtectedPageNeedsARoleTheseTestsKnow()
    {
        // Otherwise a page could pass every test here without any of them opening it: each protected page is an admin
        // page, a portal page, or one that any signed-in user may open (listed, with why).
        var unknown = PageCatalog.Protected
            .Where(p => !p.IsAdmin && !p.IsPortal && !PageCatalog.AnySignedInUser.Contains(p.Template))
            .Select(p => $"{p.Template} (roles: {p.Roles ?? "any signed-in user"})")
            .ToList();

        Assert.True(unknown.Count == 0, "Pages whose roles the authorization matrix does not test:\n" + string.Join('\n', unknown));
        Assert.All(PageCatalog.AnySignedInUser, template => Assert.Contains(PageCatalog.Protected, p => p.Template == template));
    }

    [Theory]
    [MemberData(nameof(AnySignedInUserPages))]
    public async Task EverySignedInRoleOpensThePagesForAnySignedInUser(string template)
    {
        foreach (var (email, password) in new[] { (DemoSettings.AdminEmail, DemoSettings.AdminPassword), (DemoSettings.CustomerEmail, DemoSettings.CustomerPassword), (DemoSettings.MemberEmail, DemoSettings.CustomerPassword) })
        {
            using var client = portal.CreatePortalClient();
            await client.SignInAsync(email, password);

            var response = await client.GetAsync(PageCatalog.Url(PageCatalog.Find(template), await ParametersAsync()));

            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{email} on {template}: {(int)response.StatusCode}");
            Assert.NotEqual("/Account/Login", response.Headers.Location?.AbsolutePath());
            Assert.NotEqual("/Account/AccessDenied", response.Headers.Location?.AbsolutePath());
        }
    }

    [Fact]
    public void EveryAdminAndPortalPageLivesUnderItsOwnPrefix()
    {
        Assert.All(PageCatalog.All.Where(p => p.IsAdmin), p => Assert.StartsWith("/admin", p.Template, StringComparison.Ordinal));
        Assert.All(PageCatalog.All.Where(p => p.Template.StartsWith("/admin", StringComparison.Ordinal)), p => Assert.True(p.IsAdmin, $"{p} must need Admin"));
        Assert.All(PageCatalog.All.Where(p => p.Template.StartsWith("/app", StringComparison.Ordinal)), p => Assert.True(p.IsPortal, $"{p} must need a customer role"));
    }

    [Theory]
    [MemberData(nameof(ProtectedPages))]
    public async Task AnonymousUsersAreSentToSignIn(string template)
    {
        using var client = portal.CreatePortalClient();

        var response = await client.GetAsync(PageCatalog.Url(PageCatalog.Find(template), await ParametersAsync()));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath());
    }

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task CustomerUsersAreRefusedTheAdminArea(string template)
    {
        foreach (var email in new[] { DemoSettings.CustomerEmail, DemoSettings.MemberEmail })
        {
            using var client = portal.CreatePortalClient();
            await client.SignInAsync(email, DemoSettings.CustomerPassword);

            var response = await client.GetAsync(PageCatalog.Url(PageCatalog.Find(template), await ParametersAsync()));

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath());
        }
    }

    [Fact]
    public async Task CustomerUsersSignedInAreRefusedEveryOperatorApiEndpoint()
    {
        // The operator API is admin-only: it takes an operator key, never a signed-in session, so a customer's cookie
        // (owner or member) opens none of it, not even the reads.
        foreach (var email in new[] { DemoSettings.CustomerEmail, DemoSettings.MemberEmail })
        {
            using var client = portal.CreatePortalClient();
            await client.SignInAsync(email, DemoSettings.CustomerPassword);

            foreach (var (method, path) in ApiCatalog.KeyedEndpoints(portal.Services))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await client.Http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} as {email} answered {(int)response.StatusCode}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task AdminsOpenEveryAdminPage(string template)
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await client.GetAsync(PageCatalog.Url(PageCatalog.Find(template), await ParametersAsync()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(PortalPages))]
    public async Task CustomerUsersOpenEveryPortalPageOfTheirOwnOrganisation(string template)
    {
        foreach (var email in new[] { DemoSettings.CustomerEmail, DemoSettings.MemberEmail })
        {
            using var client = portal.CreatePortalClient();
            await client.SignInAsync(email, DemoSettings.CustomerPassword);

            var response = await client.GetAsync(PageCatalog.Url(PageCatalog.Find(template), await ParametersAsync()));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(PortalPages))]
    public async Task AdminsAreNotCustomersAndAreRefusedThePortal(string template)
    {
        using var client = portal.CreatePortalClient();
        await client.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await client.GetAsync(PageCatalog.Url(PageCatalog.Find(template), await ParametersAsync()));

        Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath());
    }

    /// <summary>Route values that exist and belong to the demo customer, for pages with parameters.</summary>
    private Task<IReadOnlyDictionary<string, string>> ParametersAsync() =>
        portal.WithServicesAsync<IReadOnlyDictionary<string, string>>(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var acme = await db.Customers.SingleAsync(c => c.ExternalId == DemoSettings.CustomerExternalId);
            var member = await db.Users.SingleAsync(u => u.Email == DemoSettings.MemberEmail);
            // The demo's closed months are invoiced at start-up.
            var invoice = await db.Invoices.Where(i => i.CustomerId == acme.Id).OrderBy(i => i.Id).FirstAsync();
            var plan = await db.Plans.OrderBy(p => p.Id).FirstAsync();
            var usageEvent = await db.UsageEvents.Where(e => e.CustomerId == acme.Id).OrderBy(e => e.Id).FirstAsync();
            return new Dictionary<string, string>
            {
                ["Id"] = acme.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["UserId"] = member.Id,
                ["InvoiceId"] = invoice.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Code"] = plan.Code,
                ["EventRowId"] = usageEvent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Month"] = DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            };
        });
}
