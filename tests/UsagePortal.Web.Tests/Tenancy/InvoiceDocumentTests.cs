using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Customers;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Tenancy;

/// <summary>
/// An invoice's print layout, PDF (Chromium prints the print layout) and CSV: the organisation's own only; another
/// organisation's answers 404 like one that does not exist, and a signed-out visitor is sent to sign in.
/// </summary>
public sealed class InvoiceDocumentTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private Task<Customer> DemoCustomerAsync(string externalIdOrName) =>
        portal.WithDbAsync(db => db.Customers.AsNoTracking().SingleAsync(c => c.ExternalId == externalIdOrName || c.Name == externalIdOrName));

    private async Task<PortalClient> SignInAsync(string email)
    {
        var client = portal.CreatePortalClient();
        await client.SignInAsync(email, DemoSettings.CustomerPassword);
        return client;
    }

    [Fact]
    public async Task TheOwnersInvoicePrintsAsOneDocumentAndDownloadsAsPdfAndCsv()
    {
        var acme = await DemoCustomerAsync(DemoSettings.CustomerExternalId);
        var invoice = await portal.CreateInvoiceAsync(acme.Id, lines: [new TestLine("API calls, eu-west, \"burst\"", 12_345), new TestLine("Flat fee, Growth", 4_900)],
            periodStart: new DateTime(2025, 4, 1, 0, 0, 0, DateTimeKind.Utc), currency: acme.Currency);
        using var member = await SignInAsync(DemoSettings.MemberEmail);

        var print = await member.GetAsync($"/app/invoices/{invoice.Id}/print");
        var html = await print.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, print.StatusCode);
        Assert.Contains($"Invoice {invoice.Number}", html, StringComparison.Ordinal);
        Assert.Contains("API calls, eu-west, &quot;burst&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        var csv = await member.GetAsync($"/app/invoices/{invoice.Id}/csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"{invoice.Number}.csv", csv.Content.Headers.ContentDisposition!.FileNameStar ?? csv.Content.Headers.ContentDisposition.FileName);
        var rows = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("invoice,line,kind,description,meter,group,usage_from,usage_to,quantity,amount,currency", rows[0]);
        Assert.Contains(rows, r => r.Contains("\"API calls, eu-west, \"\"burst\"\"\"", StringComparison.Ordinal) && r.Contains(",123.45,", StringComparison.Ordinal));
        Assert.EndsWith($",total,,,,,,,{Format(invoice.Total)},{acme.Currency}", rows[^1], StringComparison.Ordinal);

        var pdf = await member.GetAsync($"/app/invoices/{invoice.Id}/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-", Encoding.ASCII.GetString(bytes, 0, 5));
        Assert.True(bytes.Length > 5_000, $"a PDF of {bytes.Length} bytes");
    }

    [Fact]
    public async Task AnotherOrganisationsInvoiceDocumentsAnswerNotFoundAndSignedOutVisitorsSignIn()
    {
        var acme = await DemoCustomerAsync(DemoSettings.CustomerExternalId);
        var invoice = await portal.CreateInvoiceAsync(acme.Id, periodStart: new DateTime(2025, 5, 1, 0, 0, 0, DateTimeKind.Utc), currency: acme.Currency);
        using var globexOwner = await SignInAsync(DemoSettings.OtherOwnerEmail);
        using var anonymous = portal.CreatePortalClient();

        foreach (var document in new[] { "print", "pdf", "csv" })
        {
            var foreign = await globexOwner.GetAsync($"/app/invoices/{invoice.Id}/{document}");
            var unknown = await globexOwner.GetAsync($"/app/invoices/987654321/{document}");
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (foreign.StatusCode, unknown.StatusCode));
            Assert.DoesNotContain(invoice.Number!, await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var signedOut = await anonymous.GetAsync($"/app/invoices/{invoice.Id}/{document}");
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
            Assert.Contains("Account/Login", signedOut.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
    }

    private static string Format(long minorUnits) => (minorUnits / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
}
