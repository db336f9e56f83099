using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;

namespace UsagePortal.Web.Tests.Api;

/// <summary>A customer's tax rate and a billing time zone: a bad value is named with a human reason, and only IANA zones are taken.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class CustomerFieldTests(MeteringPortal portal)
{
    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("true")]
    [InlineData("{}")]
    public async Task ABadTaxRateNamesTheFieldAndWhatItMustBeWithoutADotNetType(string taxRate)
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/customers", Json($$"""
            { "externalId": "{{Unique.Name("taxrate")}}", "name": "Initech", "email": "billing@initech.example", "currency": "EUR", "taxRate": {{taxRate}} }
            """));
        var problem = await MeteringApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        var error = Assert.Single(problem.Errors);
        Assert.Equal("taxRate", error.Field);
        Assert.Contains("decimal fraction between 0 and 1, such as \"0.19\"", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("JSON value", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWindowsTimeZoneIdIsRefusedWithTheIanaIdToUseInstead()
    {
        using var client = await portal.ApiClientAsync();
        var externalId = Unique.Name("windows-zone");

        using var response = await client.PostAsync("/api/v1/customers", Json(new JsonObject
        {
            ["externalId"] = externalId,
            ["name"] = "Initech",
            ["email"] = "billing@initech.example",
            ["currency"] = "USD",
            ["timeZone"] = "Pacific Standard Time",
        }.ToJsonString()));
        var problem = await MeteringApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        var error = Assert.Single(problem.Errors);
        Assert.Equal("timeZone", error.Field);
        Assert.Contains("America/Los_Angeles", error.Reason, StringComparison.Ordinal);
        Assert.False(await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.AnyAsync(c => c.ExternalId == externalId)));
    }

    [Theory]
    [InlineData("Europe/Paris")]
    [InlineData("America/Los_Angeles")]
    [InlineData("UTC")]
    [InlineData("Etc/GMT+5")]
    public async Task IanaTimeZonesAreTakenAndStoredAsGiven(string zone)
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/customers", Json(new JsonObject
        {
            ["externalId"] = Unique.Name("iana-zone"),
            ["name"] = "Initech",
            ["email"] = "billing@initech.example",
            ["currency"] = "USD",
            ["timeZone"] = zone,
        }.ToJsonString()));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(zone, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["timeZone"]!.GetValue<string>());
    }

    [Fact]
    public async Task AWindowsTimeZoneIdOnASubscriptionIsRefusedWithTheIanaIdToUseInstead()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/subscriptions", Json(new JsonObject
        {
            ["customer"] = DemoSettings.CustomerExternalId,
            ["plan"] = "no-such-plan",
            ["timeZone"] = "W. Europe Standard Time",
        }.ToJsonString()));
        var problem = await MeteringApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        var error = Assert.Single(problem.Errors, e => e.Field == "timeZone");
        Assert.Contains("Europe/Berlin", error.Reason, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
