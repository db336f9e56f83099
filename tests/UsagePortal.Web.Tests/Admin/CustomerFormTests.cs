namespace UsagePortal.Web.Tests.Admin;

/// <summary>
/// The customer pages over HTTP. Creating and editing customers happens in the interactive form on /admin/customers and a
/// customer's page: CustomersTests and CustomerDetailTests (component tests) cover its fields, errors and audit.
/// </summary>
public sealed class CustomerFormTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnUnknownCustomerPageAnswersNotFound()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await admin.GetAsync("/admin/customers/999999");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>
    /// The demo has customers, invoices and audit entries: the page's first (prerendered) response shows them or says they
    /// are loading, never that there are none (a flash of "No customers yet" before the rows arrived over the circuit).
    /// </summary>
    [Theory]
    [InlineData("/admin/customers", "No customers yet")]
    [InlineData("/admin/invoices", "No invoices yet")]
    [InlineData("/admin/audit", "Nothing has been recorded yet")]
    public async Task APrerenderedListNeverSaysItIsEmptyWhenItIsNot(string path, string empty)
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var body = await admin.GetPageAsync(path);

        Assert.DoesNotContain(empty, body, StringComparison.Ordinal);
    }
}
