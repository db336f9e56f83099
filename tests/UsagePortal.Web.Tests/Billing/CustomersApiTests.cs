using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.SubscriptionsApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>POST/GET /api/v1/customers: create or update by externalId, the customer shape, and every bad field named.</summary>
[Collection(SubscriptionsApiCollection.Name)]
public sealed class CustomersApiTests(SubscriptionsPortal portal) : IAsyncLifetime
{
    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        portal.Clock.Now = SubscriptionsPortal.DefaultNow;
        api = await portal.ApiClientAsync();
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private static JsonObject Customer(string externalId) => new()
    {
        ["externalId"] = externalId,
        ["name"] = "Initech",
        ["email"] = "billing@initech.example",
        ["currency"] = "EUR",
        ["timeZone"] = "Europe/Paris",
        ["taxRate"] = 0.0825m,
        ["locale"] = "fr-FR",
    };

    private Task<int> StoredCountAsync(string externalId) => portal.WithDbAsync(db => db.Customers.CountAsync(c => c.ExternalId == externalId));

    [Fact]
    public async Task ACustomerIsCreatedThenUpdatedByItsExternalId()
    {
        var externalId = Unique.Name("initech");

        using var created = await api.PostJsonAsync("/api/v1/customers", Customer(externalId));

        var first = await ReadAsync(created, HttpStatusCode.Created);
        Assert.Equal($"/api/v1/customers/{externalId}", created.Headers.Location?.OriginalString);
        Assert.Equal((externalId, "Initech", "billing@initech.example", "EUR", "Europe/Paris", "0.0825", "fr-FR"), (
            first.GetProperty("externalId").GetString(), first.GetProperty("name").GetString(), first.GetProperty("email").GetString(),
            first.GetProperty("currency").GetString(), first.GetProperty("timeZone").GetString(), first.GetProperty("taxRate").GetString(),
            first.GetProperty("locale").GetString()));
        Assert.Equal(SubscriptionsPortal.DefaultNow, first.GetProperty("createdAt").GetDateTimeOffset());

        using var updated = await api.PostJsonAsync("/api/v1/customers", new { externalId, name = "Initech Ltd", taxRate = "0.2" });

        var second = await ReadAsync(updated, HttpStatusCode.OK);
        Assert.Equal(("Initech Ltd", "0.2", "EUR", "Europe/Paris", "billing@initech.example"), (second.GetProperty("name").GetString(), second.GetProperty("taxRate").GetString(),
            second.GetProperty("currency").GetString(), second.GetProperty("timeZone").GetString(), second.GetProperty("email").GetString()));
        Assert.Equal(1, await StoredCountAsync(externalId));
        var fetched = await api.GetJsonAsync($"/api/v1/customers/{externalId}");
        Assert.Equal(second.ToString(), fetched.ToString());
        Assert.Contains((await api.GetJsonAsync("/api/v1/customers")).EnumerateArray(), c => c.GetProperty("externalId").GetString() == externalId);
        var actions = await portal.WithDbAsync(db => db.AuditEntries.Where(a => a.Subject == $"customer:{externalId}").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        Assert.Equal(["customer.created", "customer.updated"], actions);
    }

    [Fact]
    public async Task OnCreationTheTimeZoneLocaleAndTaxRateHaveDefaults()
    {
        var externalId = Unique.Name("minimal");

        using var response = await api.PostJsonAsync("/api/v1/customers", new { externalId, name = "Minimal", email = "a@b.example", currency = "USD" });

        var customer = await ReadAsync(response, HttpStatusCode.Created);
        Assert.Equal(("UTC", "en-US", "0"), (customer.GetProperty("timeZone").GetString(), customer.GetProperty("locale").GetString(), customer.GetProperty("taxRate").GetString()));
    }

    [Theory]
    [InlineData("externalId", "has space")]
    [InlineData("name", "")]
    [InlineData("email", "not-an-email")]
    [InlineData("currency", "usd")]
    [InlineData("currency", "XXY")]
    [InlineData("timeZone", "Mars/Olympus_Mons")]
    [InlineData("locale", "xx-nowhere")]
    [InlineData("taxRate", "1.5")]
    [InlineData("taxRate", "-0.1")]
    [InlineData("taxRate", "a fifth")]
    public async Task AnInvalidCustomerIsRefusedNamingTheFieldAndNothingIsStored(string field, string value)
    {
        var externalId = Unique.Name("bad");
        var body = Customer(externalId);
        body[field] = value;

        using var response = await api.PostJsonAsync("/api/v1/customers", body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([field], problem.Errors.Select(e => e.Field));
        Assert.Equal(0, await StoredCountAsync(externalId));
        Assert.Equal(0, await StoredCountAsync(value));
    }

    [Fact]
    public async Task ACustomerWithARunningSubscriptionKeepsItsCurrency()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();
        var unsubscribed = await api.CreateApiCustomerAsync();
        await api.SubscribeAsync(new { customer, plan });

        using var refused = await api.PostJsonAsync("/api/v1/customers", new { externalId = customer, currency = "EUR" });
        using var allowed = await api.PostJsonAsync("/api/v1/customers", new { externalId = unsubscribed, currency = "EUR" });

        Assert.Equal(["currency"], (await AssertProblemAsync(refused, HttpStatusCode.BadRequest)).Errors.Select(e => e.Field));
        Assert.Equal("USD", (await api.GetJsonAsync($"/api/v1/customers/{customer}")).GetProperty("currency").GetString());
        Assert.Equal("EUR", (await ReadAsync(allowed, HttpStatusCode.OK)).GetProperty("currency").GetString());
    }

    [Fact]
    public async Task AnUnknownCustomerAnswers404AndABodyThatIsNotJsonIsRefused()
    {
        using var unknown = await api.GetAsync($"/api/v1/customers/{Unique.Name("nobody")}");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);

        using var notJson = await api.PostAsync("/api/v1/customers", Body("text/plain", "externalId=x"));
        await AssertProblemAsync(notJson, HttpStatusCode.UnsupportedMediaType);
        using var wrongType = await api.PostAsync("/api/v1/customers", Body(Json, """{"externalId": 5}"""));
        Assert.Equal(["externalId"], (await AssertProblemAsync(wrongType, HttpStatusCode.BadRequest)).Errors.Select(e => e.Field));
    }
}
