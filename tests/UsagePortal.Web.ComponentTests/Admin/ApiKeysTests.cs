using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Domain;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.ApiKeys;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/api-keys: a key is shown once, works until it is revoked (after a confirmation), and both acts are audited.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed partial class ApiKeysTests(ComponentHost host) : BillingPageTest(host)
{
    private IRenderedComponent<ApiKeys> RenderPage()
    {
        SignInAsAdmin();
        RenderProviders();
        var page = Render<ApiKeys>();
        page.WaitForElement("[data-testid=api-keys], [data-testid=no-keys]");
        return page;
    }

    private static string RowOf(IRenderedComponent<ApiKeys> page, int id) =>
        Text(page.Find($"[data-key='{id}']").Closest("tr")!);

    private Task<ApiKey> StoredAsync(string name) => WithDbAsync(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == name));

    private Task<int?> AuthenticateAsync(string key) => WithServiceAsync<ApiKeyService, int?>(s => s.AuthenticateAsync(key));

    [Fact]
    public async Task ANewKeyIsShownOnceWorksUntilRevokedAndBothActionsAreAudited()
    {
        var name = $"Billing backend {Guid.NewGuid():N}";
        var page = RenderPage();

        Type(page, "api-key-name", name);
        page.Find("[data-testid=create-key]").Click();

        var shown = page.WaitForElement("[data-testid=new-api-key]");
        Assert.Contains("It will not be shown again", Text(shown));
        var key = Assert.Single(KeyPattern().Matches(page.Markup).Select(m => m.Value).Distinct());
        var stored = await StoredAsync(name);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), stored.KeyHash);
        Assert.StartsWith(stored.Prefix, key, StringComparison.Ordinal);
        Assert.True(stored.Prefix.Length < key.Length);
        Assert.Equal(DemoSettings.AdminEmail, stored.CreatedBy);
        Assert.Contains("never", RowOf(page, stored.Id));
        Assert.Equal("", page.Find("[data-testid=api-key-name]").GetAttribute("value") ?? "");

        Assert.Equal(stored.Id, await AuthenticateAsync(key));

        var later = RenderPage();
        Assert.DoesNotContain(key, later.Markup, StringComparison.Ordinal);
        var row = RowOf(later, stored.Id);
        Assert.Contains($"{stored.Prefix}…", row);
        Assert.Contains("Active", row);
        Assert.DoesNotContain("never", row);

        later.Find($"[data-testid=revoke-{stored.Id}]").Click();
        Assert.Contains($"Requests that use the key {stored.Prefix}… are refused from now on.", DialogText());
        Answer("Revoke key");

        later.WaitForAssertion(() => Assert.Contains("Revoked", RowOf(later, stored.Id)));
        Assert.Contains($"Key “{name}” ({stored.Prefix}…) is revoked", SnackbarText());
        Assert.Empty(later.FindAll($"[data-testid=revoke-{stored.Id}]"));
        Assert.Null(await AuthenticateAsync(key));
        var audit = await WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == $"apikey:{stored.Id}").OrderBy(e => e.Id)
            .Select(e => new { e.Action, e.Actor, e.Details }).ToListAsync());
        Assert.Equal(["apikey.created", "apikey.revoked"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(DemoSettings.AdminEmail, e.Actor));
        Assert.All(audit, e => Assert.DoesNotContain(key, e.Details ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancellingTheRevocationKeepsTheKeyWorking()
    {
        var (created, _) = await WithServiceAsync<ApiKeyService, Result<ApiKeyCreated>>(s => s.CreateAsync($"Keep {Guid.NewGuid():N}", "tests"));
        var page = RenderPage();

        page.Find($"[data-testid=revoke-{created!.Stored.Id}]").Click();
        Answer("Cancel");

        Assert.Contains("Active", RowOf(page, created.Stored.Id));
        Assert.Equal(created.Stored.Id, await AuthenticateAsync(created.Key));
        Assert.Null((await WithDbAsync(db => db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == created.Stored.Id))).RevokedAt);
    }

    [Fact]
    public async Task RevokingAKeyTwiceKeepsTheFirstRevocation()
    {
        var (created, _) = await WithServiceAsync<ApiKeyService, Result<ApiKeyCreated>>(s => s.CreateAsync($"Twice {Guid.NewGuid():N}", "tests"));
        var id = created!.Stored.Id;
        var first = await WithServiceAsync<ApiKeyService, Result<ApiKey>>(s => s.RevokeAsync(id, "tests"));

        var again = await WithServiceAsync<ApiKeyService, Result<ApiKey>>(s => s.RevokeAsync(id, "tests"));

        Assert.True(again.Succeeded);
        Assert.Equal(first.Value!.RevokedAt, again.Value!.RevokedAt);
        Assert.Equal(1, await WithDbAsync(db => db.AuditEntries.CountAsync(e => e.Subject == $"apikey:{id}" && e.Action == "apikey.revoked")));
        Assert.Equal(ResultKind.NotFound, (await WithServiceAsync<ApiKeyService, Result<ApiKey>>(s => s.RevokeAsync(987_654, "tests"))).Kind);
    }

    public static TheoryData<string> BadNames => ["", "   ", new string('k', 201)];

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task ANameIsRequiredAndAtMost200CharactersSaidAtTheName(string name)
    {
        var before = await WithDbAsync(db => db.ApiKeys.CountAsync());
        var page = RenderPage();

        Type(page, "api-key-name", name);
        page.Find("[data-testid=create-key]").Click();

        page.WaitForAssertion(() => Assert.Equal("Name is required: 1 to 200 characters.", ErrorAt(page, "api-key-name")));
        Assert.DoesNotMatch(KeyPattern(), page.Markup);
        Assert.Empty(page.FindAll("[data-testid=new-api-key]"));
        Assert.Equal(before, await WithDbAsync(db => db.ApiKeys.CountAsync()));
    }

    [GeneratedRegex(@"up_live_[A-Za-z0-9_-]{20,}")]
    private static partial Regex KeyPattern();
}
