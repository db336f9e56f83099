using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/invoices: every customer's invoices in a server-paged grid, filtered by status, customer and period (kept in the address).</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class InvoicesTests(ComponentHost host) : BillingPageTest(host)
{
    private IRenderedComponent<Invoices> RenderPage(string query = "")
    {
        SignInAsAdmin();
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"admin/invoices{query}");
        return Render<Invoices>();
    }

    private static List<string> Rows(IRenderedComponent<Invoices> page) =>
        [.. page.FindAll("[data-testid=invoices] tbody tr").Select(Text)];

    [Fact]
    public async Task TheListShowsACustomersInvoicesNewestFirstAndFiltersThemByStatus()
    {
        var customer = await CreateCustomerAsync();
        var open = await CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 123_456)]);
        var paid = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, periodStart: new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));

        var page = RenderPage($"?customer={customer.Id}");

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));
        var rows = Rows(page);
        Assert.StartsWith(open.Number!, rows[0]);
        Assert.Contains($"{customer.Name} 1 Sep – 30 Sep 2026", rows[0]);
        Assert.Contains("Issued 1,234.56 USD", rows[0]);
        Assert.StartsWith(paid.Number!, rows[1]);
        Assert.Equal("1,234.56 USD", Text(page.FindAll("[data-testid=invoice-total]")[0]));
        Assert.Equal(customer.Name, page.Find("[data-testid=filter-customer]").GetAttribute("value"));

        Choose(page, "filter-status", "Paid");

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        Assert.StartsWith(paid.Number!, Rows(page)[0]);
        // The filters are in the address, to bookmark and share.
        var address = new Uri(Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("/admin/invoices", address.AbsolutePath);
        Assert.Equal(["customer=" + customer.Id, "status=paid"], address.Query.TrimStart('?').Split('&').Order(StringComparer.Ordinal));

        Choose(page, "filter-status", "Void");

        page.WaitForAssertion(() => Assert.Contains("No invoices match these filters.", Text(page.Find("[data-testid=invoices-empty]"))));

        page.Find("[data-testid=clear-filters]").Click();

        page.WaitForAssertion(() => Assert.True(Rows(page).Count > 2, "Clearing the filters shows every customer's invoices."));
    }

    [Fact]
    public async Task TheStatusAndPeriodFiltersComeFromTheAddress()
    {
        var customer = await CreateCustomerAsync();
        var august = await CreateInvoiceAsync(customer.Id, periodStart: new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        await CreateInvoiceAsync(customer.Id, periodStart: new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc));
        var draft = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft, periodStart: new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));

        var page = RenderPage($"?customer={customer.Id}&period=2026-08&status=finalized");

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        Assert.StartsWith(august.Number!, Rows(page)[0]);
        Assert.DoesNotContain($"admin/invoices/{draft.Id}\"", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePaymentFilterFindsTheInvoicesWhosePushFailed()
    {
        var customer = await CreateCustomerAsync();
        var stuck = await CreateInvoiceAsync(customer.Id, periodStart: new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        var paid = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, periodStart: new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc));
        await WithDbAsync(db => db.Invoices.Where(i => i.Id == stuck.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, Data.Payments.PaymentStates.PushFailed)));
        await WithDbAsync(db => db.Invoices.Where(i => i.Id == paid.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, Data.Payments.PaymentStates.Paid)));

        var page = RenderPage($"?customer={customer.Id}");
        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));
        // Each row says where its invoice stands with the provider, under its status.
        Assert.Equal([Data.Payments.PaymentStates.Paid, Data.Payments.PaymentStates.PushFailed],
            page.FindAll("[data-testid=invoice-payment]").Select(e => e.GetAttribute("data-state")).Distinct());

        Choose(page, "filter-payment", "Not sent for payment yet");

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        Assert.StartsWith(stuck.Number!, Rows(page)[0]);
        var address = new Uri(Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Contains("payment=push_failed", address.Query, StringComparison.Ordinal);

        var fromAddress = RenderPage($"?customer={customer.Id}&payment=paid");
        fromAddress.WaitForAssertion(() => Assert.Single(Rows(fromAddress)));
        Assert.StartsWith(paid.Number!, Rows(fromAddress)[0]);
    }

    [Fact]
    public async Task EachRowLinksItsInvoiceAndItsCustomer()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id);

        var page = RenderPage($"?customer={customer.Id}");

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        var links = page.FindAll("[data-testid=invoices] tbody a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"admin/invoices/{invoice.Id}", links);
        Assert.Contains($"admin/customers/{customer.Id}", links);
    }
}
