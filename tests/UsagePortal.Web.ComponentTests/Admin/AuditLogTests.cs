using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.ApiKeys;
using UsagePortal.Domain.Customers;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/audit: every administrative action, newest first, in a server-paged grid with filters kept in the address.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class AuditLogTests(ComponentHost host) : BillingPageTest(host)
{
    private IRenderedComponent<AuditLog> RenderPage(string query = "")
    {
        SignInAsAdmin();
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"admin/audit{query}");
        return Render<AuditLog>();
    }

    private static List<string> Rows(IRenderedComponent<AuditLog> page) =>
        [.. page.FindAll("[data-testid=audit] tbody tr").Select(Text)];

    [Fact]
    public async Task TheLogShowsWhoDidWhatNewestFirstAndFiltersByWho()
    {
        var actor = $"auditor-{Guid.NewGuid():N}@usageportal.test";
        var (first, _) = await WithServiceAsync<ApiKeyService, Result<ApiKeyCreated>>(s => s.CreateAsync("First key", actor));
        await WithServiceAsync<ApiKeyService, Result<ApiKey>>(s => s.RevokeAsync(first!.Stored.Id, actor));

        var page = RenderPage($"?actor={Uri.EscapeDataString(actor)}");

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));
        var rows = Rows(page);
        Assert.Contains($"{actor} apikey.revoked apikey:{first!.Stored.Id} name=First key", rows[0]);
        Assert.Contains($"{actor} apikey.created apikey:{first.Stored.Id}", rows[1]);
        Assert.Equal(actor, page.Find("[data-testid=filter-actor]").GetAttribute("value"));
    }

    [Fact]
    public async Task AnEntryShowsItsChangedFieldsBeforeAndAfterAndFoldsTheUnchangedOnes()
    {
        var actor = $"editor-{Guid.NewGuid():N}@usageportal.test";
        var externalId = Unique("diffed");
        await WithServiceAsync<CustomerService, Result<Data.Customers.Customer>>(s =>
            s.SaveAsync(new CustomerFields(externalId, "Old Name Ltd", "billing@old.example", "USD", "UTC", "en-US", 0m), actor, CustomerSaveMode.CreateOnly));
        await WithServiceAsync<CustomerService, Result<Data.Customers.Customer>>(s =>
            s.SaveAsync(new CustomerFields(externalId, "New Name GmbH", null, null, "Europe/Berlin", null, null), actor, CustomerSaveMode.UpdateOnly));

        var page = RenderPage($"?actor={Uri.EscapeDataString(actor)}&action=customer.updated");

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=audit] tbody tr [data-testid=audit-diff]")));
        var diff = page.Find("[data-testid=audit-diff]");
        var changed = diff.QuerySelectorAll("[data-testid=audit-diff-row][data-changed=true]");
        Assert.Equal(["name", "timeZone"], changed.Select(r => r.GetAttribute("data-field")));
        var name = changed[0];
        Assert.Equal("Old Name Ltd", name.QuerySelector("[data-testid=audit-before]")!.TextContent.Trim());
        Assert.Equal("New Name GmbH", name.QuerySelector("[data-testid=audit-after]")!.TextContent.Trim());
        Assert.Equal(("UTC", "Europe/Berlin"), (changed[1].QuerySelector("del")!.TextContent.Trim(), changed[1].QuerySelector("ins")!.TextContent.Trim()));
        var toggle = diff.QuerySelector("[data-testid=audit-diff-unchanged-toggle]")!;
        Assert.Equal(("5 fields unchanged", "false"), (toggle.TextContent.Trim(), toggle.GetAttribute("aria-expanded")));

        toggle.Click();

        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=audit-diff-unchanged-toggle]").GetAttribute("aria-expanded")));
        Assert.Contains(page.FindAll("[data-testid=audit-diff-row][data-changed=false]"),
            r => r.GetAttribute("data-field") == "email" && r.TextContent.Contains("billing@old.example", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutFiltersTheLatestEntriesShow()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.NotEmpty(Rows(page)));
        Assert.Empty(page.FindAll("[data-testid=clear-filters]"));
    }

    [Fact]
    public void FiltersThatMatchNothingSaySoAndCanBeCleared()
    {
        var page = RenderPage($"?actor=nobody-{Guid.NewGuid():N}");

        page.WaitForAssertion(() => Assert.Contains("No entries match these filters.", Text(page.Find("[data-testid=audit-empty]"))));

        page.Find("[data-testid=clear-filters]").Click();

        page.WaitForAssertion(() => Assert.NotEmpty(Rows(page)));
        Assert.EndsWith("admin/audit", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }
}
