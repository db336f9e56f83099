using UsagePortal.Data.Billing;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Pages.Portal;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/invoices: the organisation's own invoices in a server-paged grid (totals in view), its credit, and the upcoming draft.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class InvoicesTests(ComponentHost host) : BillingPageTest(host)
{
    private IRenderedComponent<Invoices> RenderPage(int customerId, string role = Roles.CustomerOwner)
    {
        SignInAsCustomer(customerId, role: role);
        RenderProviders();
        return Render<Invoices>();
    }

    private static List<string> Rows(IRenderedComponent<Invoices> page) =>
        [.. page.FindAll("[data-testid=invoices] tbody tr").Select(Text)];

    [Fact]
    public async Task TheListShowsTheOrganisationsInvoicesNewestFirstWithTheirTotalsAndTheUpcomingDraft()
    {
        var customer = await CreateCustomerAsync();
        var older = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, [new TestLine("API calls", 123_456)], periodStart: new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc));
        var newer = await CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 4_200)], periodStart: new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        var draft = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft, [new TestLine("API calls", 999)]);

        var page = RenderPage(customer.Id, Roles.CustomerMember);

        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count));
        var rows = Rows(page);
        Assert.StartsWith("Upcoming invoice", rows[0]);
        Assert.Contains("9.99 USD", rows[0]);
        Assert.Contains($"{newer.Number} 1 Aug – 31 Aug 2026", rows[1]);
        Assert.Contains("Issued 42.00 USD", rows[1]);
        Assert.Contains($"{older.Number} 1 Jul – 31 Jul 2026", rows[2]);
        Assert.Contains("Paid 1,234.56 USD", rows[2]);
        // The totals are in a column of their own that is never hidden: a phone shows them too.
        var totalHeader = page.FindAll("[data-testid=invoices] th").Single(th => Text(th) == "Total");
        Assert.DoesNotContain("d-none", totalHeader.ClassName ?? "", StringComparison.Ordinal);
        Assert.Equal(["9.99 USD", "42.00 USD", "1,234.56 USD"], page.FindAll("[data-testid=invoice-total]").Select(Text));
        Assert.Equal($"app/invoices/{draft.Id}", page.Find("[data-testid=upcoming-card] a").GetAttribute("href"));
        Assert.Contains("9.99 USD", Text(page.Find("[data-testid=upcoming-card]")));
    }

    [Fact]
    public async Task AnOrganisationWithoutInvoicesSeesWhatWillAppearAndWhen()
    {
        var customer = await CreateCustomerAsync();

        var page = RenderPage(customer.Id);

        page.WaitForAssertion(() => Assert.Contains("Your first invoice appears here when your first billing period closes.", Text(page.Find("[data-testid=invoices-empty]"))));
        Assert.Contains("Nothing is being finalized right now.", Text(page.Find("[data-testid=upcoming-card]")));
        Assert.Contains("No credit available.", Text(page.Find("[data-testid=credit-card]")));
    }

    [Fact]
    public async Task TheListShowsOnlyTheOrganisationsOwnInvoicesAndCredit()
    {
        var customer = await CreateCustomerAsync();
        var other = await CreateCustomerAsync();
        var own = await CreateInvoiceAsync(customer.Id);
        var foreign = await CreateInvoiceAsync(other.Id);
        var foreignDraft = await CreateInvoiceAsync(other.Id, InvoiceStatuses.Draft);
        await CreateGrantUsedByAsync(other.Id, 777_777, foreign.Id);

        var page = RenderPage(customer.Id);

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        Assert.Contains(own.Number!, Text(page));
        Assert.DoesNotContain(foreign.Number!, Text(page));
        Assert.DoesNotContain($"app/invoices/{foreignDraft.Id}", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("7,777.77", Text(page));
    }

    [Fact]
    public async Task TheGridPagesAndSortsOnTheServer()
    {
        var customer = await CreateCustomerAsync();
        for (var month = 0; month < 13; month++)
        {
            // The oldest period bills the most, so that sorting by total reverses the order.
            await CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000 - (month * 100))], periodStart: new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(month));
        }

        var page = RenderPage(customer.Id);

        page.WaitForAssertion(() => Assert.Equal(12, Rows(page).Count));
        Assert.Contains("1 Jan – 31 Jan 2026", Rows(page)[0]);
        Assert.Contains("1–12 of 13", Text(page.Find(".mud-table-pagination")).Replace(" - ", "–", StringComparison.Ordinal).Replace("-", "–", StringComparison.Ordinal));

        page.Find("[data-testid=invoices] .mud-table-pagination button[aria-label='Next page']").Click();

        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        Assert.Contains("1 Jan – 31 Jan 2025", Rows(page)[0]);

        page.Find("[data-testid=invoices] .mud-table-pagination button[aria-label='First page']").Click();
        page.WaitForAssertion(() => Assert.Equal(12, Rows(page).Count));
        page.FindAll("[data-testid=invoices] th").Single(th => Text(th) == "Total").QuerySelector(".sortable-column-header")!.Click();

        page.WaitForAssertion(() => Assert.Contains("88.00 USD", Rows(page)[0]));
    }
}
