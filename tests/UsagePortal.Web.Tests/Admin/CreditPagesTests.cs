using System.Net;

namespace UsagePortal.Web.Tests.Admin;

/// <summary>
/// /admin/customers/{id}/credits over HTTP. Granting credit, its field errors, the balance, grants and ledger are tested
/// on the interactive page as components: CustomerCreditsTests.
/// </summary>
public sealed class CreditPagesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnUnknownCustomerAnswersNotFound()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/admin/customers/987654/credits")).StatusCode);
    }
}
