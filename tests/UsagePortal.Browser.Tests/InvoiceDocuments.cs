using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>From an invoice's page: the print layout opens in a new tab, and the PDF and CSV download as files.</summary>
public sealed class InvoiceDocuments(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task TheOwnerPrintsAnInvoiceAndDownloadsItsPdfAndCsv() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.GotoAsync("app/invoices");
        // Once the page runs over its circuit: a click on the prerendered grid while it is replaced by the live one is lost.
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        await page.Locator("a[href^='app/invoices/']").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/app/invoices/\d+$"));
        await Expect(page.GetByTestId("invoice-downloads")).ToBeVisibleAsync();
        var number = (await page.Locator("h1").InnerTextAsync()).Replace("Invoice ", "", StringComparison.Ordinal).Trim();
        await KeepScreenshotAsync(page, "invoice-detail");

        var print = await page.Context.RunAndWaitForPageAsync(() => page.GetByTestId("invoice-print").ClickAsync());
        await Expect(print.Locator("h1")).ToHaveTextAsync($"Invoice {number}");
        await Expect(print.Locator("tfoot tr.total")).ToContainTextAsync("Total");
        await KeepScreenshotAsync(print, "invoice-print");
        await print.CloseAsync();

        var pdf = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("invoice-pdf").ClickAsync());
        Assert.Equal($"{number}.pdf", pdf.SuggestedFilename);
        var path = await pdf.PathAsync();
        var head = new byte[5];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadExactlyAsync(head);
        }

        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(head));
        var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("invoice-csv").ClickAsync());
        Assert.Equal($"{number}.csv", csv.SuggestedFilename);
        Assert.Contains(",total,", await File.ReadAllTextAsync(await csv.PathAsync()), StringComparison.Ordinal);
        // The page itself stayed where it was.
        await Expect(page.GetByTestId("invoice-downloads")).ToBeVisibleAsync();
    });
}
