using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain.Customers;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/customers: the grid (server paging, sorting, search) and creating a customer in its dialog.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class CustomersTests(ComponentHost host) : PeopleTestBase(host)
{
    private IRenderedComponent<Customers> RenderPage()
    {
        RenderProviders();
        SignInAsAdmin();
        var page = Render<Customers>();
        page.WaitForAssertion(() => Assert.Contains("Acme Analytics", Text(page)), TimeSpan.FromSeconds(10));
        return page;
    }

    private void Search(IRenderedComponent<Customers> page, string text) =>
        page.Find("input[data-testid=customer-search]").Input(text);

    private void OpenNewCustomer(IRenderedComponent<Customers> page)
    {
        page.Find("[data-testid=new-customer]").Click();
        Dialogs.WaitForElement(".mud-dialog form");
    }

    private void Fill(string externalId, string name, string email, string currency, string timeZone, string locale, string taxRate)
    {
        Dialogs.Find("input[data-testid=customer-externalId]").Change(externalId);
        Dialogs.Find("input[data-testid=customer-name]").Change(name);
        Dialogs.Find("input[data-testid=customer-email]").Change(email);
        Dialogs.Find("input[data-testid=customer-currency]").Change(currency);
        Dialogs.Find("input[data-testid=customer-locale]").Change(locale);
        Dialogs.Find("input[data-testid=customer-taxRate]").Change(taxRate);
        SetTimeZone(timeZone);
    }

    /// <summary>Types a zone into the autocomplete and leaves it: typed text that is not in the list stays as typed (it coerces).</summary>
    private void SetTimeZone(string timeZone)
    {
        var zone = Dialogs.Find("input[data-testid=customer-timeZone]");
        zone.Input(timeZone);
        Dialogs.Find("input[data-testid=customer-timeZone]").Blur();
    }

    private void Save() => Dialogs.Find(".mud-dialog form").Submit();

    private Task<int> CountAsync() => WithDbAsync(db => db.Customers.CountAsync());

    [Fact]
    public async Task TheGridListsCustomersWithLinksToTheirPages()
    {
        // Other tests of this host add customers: the first page is whatever the database's first page is.
        var first = await Host.WithServicesAsync(services => services.GetRequiredService<CustomerService>().ListAsync(new CustomerListQuery()));
        var page = RenderPage();

        Assert.Single(page.FindAll("h1"));
        page.WaitForAssertion(() =>
        {
            var links = page.FindAll("[data-testid=customers] a").Select(a => (Text: a.TextContent.Trim(), Href: a.GetAttribute("href"))).ToList();
            Assert.All(first.Rows, row => Assert.Contains((row.Name, $"admin/customers/{row.Id}"), links));
            Assert.Superset(first.Rows.Select(r => r.ExternalId).ToHashSet(), page.FindAll("[data-testid=customers] code").Select(c => c.TextContent.Trim()).ToHashSet());
        });
    }

    [Fact]
    public async Task SearchNarrowsTheListOnTheServerAndSaysWhenNothingMatches()
    {
        var page = RenderPage();

        Search(page, "globex");
        page.WaitForAssertion(() => Assert.DoesNotContain("Acme Analytics", Text(page)), TimeSpan.FromSeconds(10));
        Assert.Contains("Globex", Text(page), StringComparison.Ordinal);

        Search(page, "no-such-customer-anywhere");
        page.WaitForAssertion(() => Assert.Contains("No customer's name, external id or e-mail contains “no-such-customer-anywhere”.", page.Find("[data-testid=customers-empty]").TextContent), TimeSpan.FromSeconds(10));
        Assert.True(await CountAsync() >= 2);
    }

    [Fact]
    public async Task AnAdminCreatesACustomerAndTheActionIsAudited()
    {
        var page = RenderPage();
        var externalId = $"initech-{Guid.NewGuid():N}"[..16];
        OpenNewCustomer(page);

        Fill(externalId, "Initech", $"billing@{externalId}.example", "EUR", "Europe/Paris", "fr-FR", "0.2");
        Save();

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.Contains("/admin/customers/", navigation.Uri, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var customer = await WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalId));
        Assert.EndsWith($"/admin/customers/{customer.Id}", navigation.Uri, StringComparison.Ordinal);
        Assert.Equal((0.2m, "Europe/Paris", "EUR", "fr-FR", "Initech"), (customer.TaxRate, customer.TimeZone, customer.Currency, customer.Locale, customer.Name));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "customer.created" && a.Actor == DemoSettings.AdminEmail && a.CustomerId == customer.Id)));
        Snackbars.WaitForAssertion(() => Assert.Contains($"Created Initech ({externalId}).", SnackbarText(), StringComparison.Ordinal));
        // The list finds it.
        Search(page, externalId);
        page.WaitForAssertion(() => Assert.Contains("Initech", Text(page), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAtItsInputAndNothingIsStored()
    {
        var page = RenderPage();
        var before = await CountAsync();
        OpenNewCustomer(page);

        Fill("has space", "", "nope", "usd", "Mars/Olympus", "xx-NOPE", "1.5");
        Save();

        Dialogs.WaitForAssertion(() => Assert.Contains("no spaces or control characters", ErrorAt(Dialogs, "customer-externalId"), StringComparison.Ordinal));
        Assert.Equal("Required: 1 to 200 characters.", ErrorAt(Dialogs, "customer-name"));
        Assert.Equal("Enter a valid e-mail address.", ErrorAt(Dialogs, "customer-email"));
        Assert.Contains("ISO 4217 currency code", ErrorAt(Dialogs, "customer-currency"), StringComparison.Ordinal);
        Assert.Contains("IANA time zone", ErrorAt(Dialogs, "customer-timeZone"), StringComparison.Ordinal);
        Assert.Contains("Enter a locale", ErrorAt(Dialogs, "customer-locale"), StringComparison.Ordinal);
        Assert.Contains("tax rate as a fraction", ErrorAt(Dialogs, "customer-taxRate"), StringComparison.Ordinal);
        Assert.Empty(Dialogs.FindAll(".mud-dialog .mud-alert"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AnUnreadableTaxRateIsNamedWithTheOtherFieldsAndNothingIsStored()
    {
        var page = RenderPage();
        var before = await CountAsync();
        OpenNewCustomer(page);

        Fill($"rate-{Guid.NewGuid():N}"[..13], "", "billing@rate.example", "USD", "UTC", "en-US", "twenty");
        Save();

        Dialogs.WaitForAssertion(() => Assert.Contains("tax rate as a fraction", ErrorAt(Dialogs, "customer-taxRate"), StringComparison.Ordinal));
        Assert.Equal("Required: 1 to 200 characters.", ErrorAt(Dialogs, "customer-name"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task ADuplicateExternalIdIsRefusedAtItsFieldAndTheExistingCustomerIsUntouched()
    {
        var page = RenderPage();
        OpenNewCustomer(page);

        Fill(DemoSettings.CustomerExternalId, "Impostor", "billing@impostor.example", "USD", "UTC", "en-US", "0");
        Save();

        Dialogs.WaitForAssertion(() => Assert.Equal("Another customer already has this external id.", ErrorAt(Dialogs, "customer-externalId")));
        Assert.Equal(DemoSettings.CustomerName, await WithDbAsync(db => db.Customers.Where(c => c.ExternalId == DemoSettings.CustomerExternalId).Select(c => c.Name).SingleAsync()));
        Assert.NotEmpty(Dialogs.FindAll(".mud-dialog"));
    }

    [Fact]
    public async Task AWindowsTimeZoneIdIsRefusedWithTheIanaIdToUseInstead()
    {
        var page = RenderPage();
        var before = await CountAsync();
        OpenNewCustomer(page);

        Fill($"windows-{Guid.NewGuid():N}"[..16], "Windows Zone", "billing@windows.example", "USD", "Pacific Standard Time", "en-US", "0");
        Save();

        Dialogs.WaitForAssertion(() => Assert.Contains("America/Los_Angeles", ErrorAt(Dialogs, "customer-timeZone"), StringComparison.Ordinal));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task ClosingTheFormWithCancelCreatesNothing()
    {
        var page = RenderPage();
        var before = await CountAsync();
        OpenNewCustomer(page);
        Fill($"cancel-{Guid.NewGuid():N}"[..15], "Canceled", "billing@canceled.example", "USD", "UTC", "en-US", "0");

        Dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll(".mud-dialog")));
        Assert.Equal(before, await CountAsync());
        Assert.EndsWith("/", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }
    [Fact]
    public async Task TheGridsQuerySearchesSortsAndPagesInTheDatabase()
    {
        // Three customers of this test, found by a prefix no other customer has; "%" and "_" in a search are plain characters.
        var prefix = $"pg{Guid.NewGuid():N}"[..8];
        var created = new List<string>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            created.Add((await CreateCustomerAsync(prefix: prefix)).ExternalId);
        }

        Task<CustomerList> ListAsync(CustomerListQuery query) =>
            Host.WithServicesAsync(services => services.GetRequiredService<CustomerService>().ListAsync(query));

        var descending = await ListAsync(new CustomerListQuery(prefix.ToUpperInvariant(), CustomerSort.ExternalId, Descending: true, Page: 0, PageSize: 2));
        var second = await ListAsync(new CustomerListQuery(prefix, CustomerSort.ExternalId, Descending: true, Page: 1, PageSize: 2));
        var wildcard = await ListAsync(new CustomerListQuery(prefix[..4] + "%"));

        var expected = created.OrderByDescending(id => id, StringComparer.Ordinal).ToList();
        Assert.Equal(3, descending.Total);
        Assert.Equal(expected[..2], descending.Rows.Select(r => r.ExternalId));
        Assert.Equal(expected[2..], second.Rows.Select(r => r.ExternalId));
        Assert.Equal((0, 0), (wildcard.Total, wildcard.Rows.Count));
    }
}
