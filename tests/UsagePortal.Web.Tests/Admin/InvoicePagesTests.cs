using System.Net;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Admin;

/// <summary>
/// /admin/invoices/{id} as served (prerendered). What the page shows and does (lines, void, credit notes, finalizing)
/// is tested with bunit in UsagePortal.Web.ComponentTests (Admin/InvoiceDetailTests, Admin/InvoicesTests).
/// </summary>
public sealed class InvoicePagesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    /// <summary>The text of the errors shown under one input of a static form (its error block, up to where the block closes); the credit pages' tests read theirs with it.</summary>
    internal static string ErrorsOf(string html, string id)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, $@"id=""{id}-errors""[^>]*>(?<errors>.*?)</div>\s*</div>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(match.Success, $"No errors are shown next to {id}.");
        return CreditTestData.ReadText(match.Groups["errors"].Value + "</div>");
    }

    [Fact]
    public async Task AnUnknownInvoiceAnswersNotFound()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await admin.GetAsync("/admin/invoices/987654321");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
