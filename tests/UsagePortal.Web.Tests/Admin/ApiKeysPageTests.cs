using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;

namespace UsagePortal.Web.Tests.Admin;

public sealed partial class ApiKeysPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Page = "/admin/api-keys";

    [Fact]
    public async Task ANewKeyIsShownOnceWorksUntilRevokedAndBothActionsAreAudited()
    {
        using var admin = await SignInAsync();
        var name = $"Billing backend {Guid.NewGuid():N}";

        var response = await admin.SubmitFormAsync(Page, "create-api-key", new Dictionary<string, string> { ["Input.Name"] = name });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("It will not be shown again", PortalClient.Text(html));
        Assert.True(response.Headers.CacheControl?.NoStore, "The page that shows a key must not be cached.");
        var key = Assert.Single(KeyPattern().Matches(html).Select(m => m.Value).Distinct());
        var stored = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().ApiKeys.AsNoTracking().SingleAsync(k => k.Name == name));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), stored.KeyHash);
        Assert.StartsWith(stored.Prefix, key, StringComparison.Ordinal);
        Assert.True(stored.Prefix.Length < key.Length);
        Assert.Equal(DemoSettings.AdminEmail, stored.CreatedBy);
        Assert.Contains("never", RowOf(await admin.GetPageAsync(Page), name));

        Assert.Equal(HttpStatusCode.OK, await ListMetersAsync(key));

        var later = await admin.GetPageAsync(Page);
        Assert.DoesNotContain(key, later, StringComparison.Ordinal);
        var row = RowOf(later, name);
        Assert.Contains($"{stored.Prefix}…", row);
        Assert.Contains("Active", row);
        Assert.DoesNotContain("never", row);

        var revoked = await admin.SubmitFormAsync(Page, "revoke-api-key", new Dictionary<string, string> { ["RevokeId"] = stored.Id.ToString(CultureInfo.InvariantCulture) });

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var revokedHtml = await revoked.Content.ReadAsStringAsync();
        Assert.Contains($"Key “{name}” ({stored.Prefix}…) is revoked", PortalClient.Text(revokedHtml));
        Assert.Contains("Revoked", RowOf(revokedHtml, name));
        Assert.DoesNotContain(key, revokedHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await ListMetersAsync(key));

        var audit = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().AuditEntries.AsNoTracking()
            .Where(e => e.Subject == $"apikey:{stored.Id}").OrderBy(e => e.Id).Select(e => new { e.Action, e.Actor, e.Details }).ToListAsync());
        Assert.Equal(["apikey.created", "apikey.revoked"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(DemoSettings.AdminEmail, e.Actor));
        Assert.All(audit, e => Assert.DoesNotContain(key, e.Details ?? "", StringComparison.Ordinal));
        var auditPage = PortalClient.Text(await admin.GetPageAsync("/admin/audit"));
        Assert.Contains("apikey.created", auditPage);
        Assert.Contains("apikey.revoked", auditPage);
    }

    [Fact]
    public async Task RevokingAKeyTwiceKeepsTheFirstRevocation()
    {
        using var admin = await SignInAsync();
        var name = $"Twice {Guid.NewGuid():N}";
        await admin.SubmitFormAsync(Page, "create-api-key", new Dictionary<string, string> { ["Input.Name"] = name });
        var id = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().ApiKeys.Where(k => k.Name == name).Select(k => k.Id).SingleAsync());
        var revoke = new Dictionary<string, string> { ["RevokeId"] = id.ToString(CultureInfo.InvariantCulture) };
        await admin.SubmitFormAsync(Page, "revoke-api-key", revoke);
        var first = await RevokedAtAsync(id);

        var again = await admin.SubmitFormAsync(Page, "revoke-api-key", revoke);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, await RevokedAtAsync(id));
        Assert.Equal(1, await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().AuditEntries.CountAsync(e => e.Subject == $"apikey:{id}" && e.Action == "apikey.revoked")));
    }

    public static TheoryData<string> BadNames => ["", "   ", new string('k', 201)];

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task ANameIsRequiredAndAtMost200Characters(string name)
    {
        using var admin = await SignInAsync();
        var before = await CountAsync();

        var response = await admin.SubmitFormAsync(Page, "create-api-key", new Dictionary<string, string> { ["Input.Name"] = name });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("""<div id="api-key-name-error" class="invalid-feedback d-block" role="alert">Name is required: 1 to 200 characters.</div>""", html);
        Assert.Contains("api-key-name-help api-key-name-error", html);
        Assert.DoesNotMatch(KeyPattern(), html);
        Assert.Equal(before, await CountAsync());
    }

    private async Task<PortalClient> SignInAsync()
    {
        var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        return admin;
    }

    private async Task<HttpStatusCode> ListMetersAsync(string key)
    {
        using var http = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/meters");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>The visible text of the table row that names <paramref name="name"/>.</summary>
    private static string RowOf(string html, string name) =>
        PortalClient.Text(RowPattern().Matches(html).Select(m => m.Value).Single(row => row.Contains(name, StringComparison.Ordinal)));

    private Task<DateTime?> RevokedAtAsync(int id) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().ApiKeys.Where(k => k.Id == id).Select(k => k.RevokedAt).SingleAsync());

    private Task<int> CountAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().ApiKeys.CountAsync());

    [GeneratedRegex(@"up_live_[A-Za-z0-9_-]{20,}")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"<tr>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();
}
