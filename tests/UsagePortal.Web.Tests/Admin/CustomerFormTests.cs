using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;

namespace UsagePortal.Web.Tests.Admin;

public sealed class CustomerFormTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnAdminCreatesACustomerAndTheActionIsAudited()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await admin.SubmitFormAsync("/admin/customers", "create-customer", Fields("initech", "Initech", "EUR", "Europe/Paris", "fr-FR", "0.2"));

        var customer = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.SingleAsync(c => c.ExternalId == "initech"));
        Assert.Equal($"/admin/customers/{customer.Id}", response.Headers.Location!.AbsolutePath());
        Assert.Equal(0.2m, customer.TaxRate);
        Assert.Equal("Europe/Paris", customer.TimeZone);
        Assert.Contains("customer.created", PortalClient.Text(await admin.GetPageAsync("/admin/audit")));
        Assert.Contains("Initech", PortalClient.Text(await admin.GetPageAsync("/admin/customers")));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedWithItsReasonAndNothingIsStored()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        var before = await CountAsync();

        var response = await admin.SubmitFormAsync("/admin/customers", "create-customer", new Dictionary<string, string>
        {
            ["Input.ExternalId"] = "has space",
            ["Input.Name"] = "",
            ["Input.Email"] = "nope",
            ["Input.Currency"] = "usd",
            ["Input.TimeZone"] = "Mars/Olympus",
            ["Input.Locale"] = "xx-NOPE",
            ["Input.TaxRate"] = "1.5",
        });
        var text = PortalClient.Text(await response.Content.ReadAsStringAsync());

        Assert.Contains("no spaces or control characters", text);
        Assert.Contains("Required: 1 to 200 characters.", text);
        Assert.Contains("Enter a valid e-mail address.", text);
        Assert.Contains("ISO 4217 currency code", text);
        Assert.Contains("IANA time zone", text);
        Assert.Contains("Enter a locale", text);
        Assert.Contains("tax rate as a fraction", text);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task ADuplicateExternalIdIsRefusedAndTheExistingCustomerIsUntouched()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await admin.SubmitFormAsync("/admin/customers", "create-customer", Fields(DemoSettings.CustomerExternalId, "Impostor", "USD", "UTC", "en-US", "0"));

        Assert.Contains("Another customer already has this external id.", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        var name = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == DemoSettings.CustomerExternalId).Select(c => c.Name).SingleAsync());
        Assert.Equal(DemoSettings.CustomerName, name);
    }

    [Fact]
    public async Task AnUnknownCustomerPageAnswersNotFound()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);

        var response = await admin.GetAsync("/admin/customers/999999");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AWindowsTimeZoneIdIsRefusedWithTheIanaIdToUseInstead()
    {
        using var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        var before = await CountAsync();

        var response = await admin.SubmitFormAsync("/admin/customers", "create-customer", Fields("windows-zone", "Windows Zone", "USD", "Pacific Standard Time", "en-US", "0"));

        Assert.Contains("America/Los_Angeles", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        Assert.Equal(before, await CountAsync());
    }

    private static Dictionary<string, string> Fields(string externalId, string name, string currency, string timeZone, string locale, string taxRate) => new()
    {
        ["Input.ExternalId"] = externalId,
        ["Input.Name"] = name,
        ["Input.Email"] = $"billing@{externalId}.example",
        ["Input.Currency"] = currency,
        ["Input.TimeZone"] = timeZone,
        ["Input.Locale"] = locale,
        ["Input.TaxRate"] = taxRate,
    };

    private Task<int> CountAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.CountAsync());
}
