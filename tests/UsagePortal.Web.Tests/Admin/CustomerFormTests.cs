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
}
