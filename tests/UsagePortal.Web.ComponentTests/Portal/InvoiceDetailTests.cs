using UsagePortal.Data.Billing;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Components.Pages.Portal;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>/app/invoices/{id}: one of the organisation's own invoices, in its locale and time zone; any other id is not found.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class InvoiceDetailTests(ComponentHost host) : BillingPageTest(host)
{
    private IRenderedComponent<InvoiceDetail> RenderPage(int customerId, long invoiceId, string role = Roles.CustomerOwner)
    {
        SignInAsCustomer(customerId, role: role);
        return Render<InvoiceDetail>(parameters => parameters.Add(p => p.InvoiceId, invoiceId));
    }

    [Fact]
    public async Task AMemberSeesTheInvoiceInTheOrganisationsLocaleAndTimeZone()
    {
        var customer = await CreateCustomerAsync("EUR", "de-DE", "Europe/Berlin");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var invoice = await CreateInvoiceAsync(customer.Id, lines: [new TestLine("Speicher", 123_450)], currency: "EUR", taxRate: 0.19m,
            periodStart: TimeZoneInfo.ConvertTimeToUtc(new DateTime(2025, 6, 1), zone));

        var page = RenderPage(customer.Id, invoice.Id, Roles.CustomerMember);

        page.WaitForElement("[data-testid=invoice]");
        Assert.False(NotFoundCalled);
        Assert.Equal($"Invoice {invoice.Number}", Text(page.Find("h1")));
        Assert.Equal(customer.Name, Text(page.Find("[data-testid=billed-to]")));
        // A period starting at Berlin midnight on 1 June reads as June, to its last day.
        Assert.Equal("1 Juni – 30 Juni 2025", Text(page.Find("[data-testid=period]")));
        Assert.Contains("Speicher 1 1.234,50 EUR", Text(page.Find("[data-testid=invoice-lines]")));
        Assert.Equal("1.469,06 EUR", Text(page.Find("[data-testid=total]")));
        Assert.Empty(page.FindAll("[data-testid=void], [data-testid=issue-credit-note], [data-testid=finalize]"));
    }

    [Fact]
    public async Task LinesReadAsACustomerWouldWriteThem()
    {
        var customer = await CreateCustomerAsync();
        var invoice = await CreateInvoiceAsync(customer.Id, lines:
        [
            new TestLine("API calls", 1_000, Meter: "api_calls", Quantity: 12_500m),
            new TestLine("Flat fee, Growth 1 Sep – 1 Sep, prorated", 137, Kind: "flat_fee", Quantity: 0.02800063m),
            new TestLine("Minimum commitment, Growth: usage came to 10.00 of the 50.00 USD committed; this is the difference", 4_000, Kind: "minimum_commitment"),
        ]);

        var page = RenderPage(customer.Id, invoice.Id);

        page.WaitForElement("[data-testid=invoice]");
        Assert.Equal(["12,500", "2.8 % of the period", "—"], page.FindAll("[data-testid=line-quantity]").Select(Text));
        // Only the metered line opens to its events, over the usage the line billed.
        var link = Assert.Single(page.FindAll("[data-testid=line-events]"));
        Assert.Equal("app/usage/events?meter=api_calls&from=2026-09-01T00%3A00%3A00.0000000%2B00%3A00&to=2026-10-01T00%3A00%3A00.0000000%2B00%3A00", link.GetAttribute("href"));
    }

    [Fact]
    public async Task TheUpcomingDraftIsMarkedAsNotFinal()
    {
        var customer = await CreateCustomerAsync();
        var draft = await CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft, [new TestLine("Draft line for the portal", 4_321)]);

        var page = RenderPage(customer.Id, draft.Id);

        page.WaitForElement("[data-testid=invoice]");
        Assert.Equal("Upcoming invoice", Text(page.Find("h1")));
        Assert.Contains("Draft, not final", Text(page));
        Assert.Contains("The amounts below may change until then.", Text(page.Find("[data-testid=draft-notice]")));
        Assert.Contains("Draft line for the portal", Text(page));
    }

    [Fact]
    public async Task AnotherOrganisationsInvoiceIsNotFoundExactlyLikeAnUnknownOne()
    {
        var customer = await CreateCustomerAsync();
        var other = await CreateCustomerAsync();
        var foreign = await CreateInvoiceAsync(other.Id, lines: [new TestLine("Not yours", 5_555)]);

        var page = RenderPage(customer.Id, foreign.Id);

        Assert.True(NotFoundCalled);
        Assert.DoesNotContain(foreign.Number!, page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Not yours", page.Markup, StringComparison.Ordinal);

        NotFoundCalled = false;
        RenderPage(customer.Id, 987_654_321L);

        Assert.True(NotFoundCalled);
    }
}
