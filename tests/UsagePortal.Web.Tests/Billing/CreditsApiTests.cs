using System.Globalization;
using System.Net;
using System.Text.Json;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Billing;

public sealed class CreditsApiTests(CreditsPortal portal) : IClassFixture<CreditsPortal>
{
    private static string Url(string externalId) => $"/api/v1/customers/{Uri.EscapeDataString(externalId)}/credits";

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task AGrantAnswers201AndShowsInTheBalanceGrantsAndLedger()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync("EUR");
        var expiry = DateTimeOffset.UtcNow.AddDays(30);
        var expiresAt = expiry.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var created = await JsonAsync(await client.PostAsync(Url(customer.ExternalId), Body(Json, $$"""{"amount":"25.5","reason":"Outage credit","expiresAt":"{{expiresAt}}"}""")), HttpStatusCode.Created);
        await JsonAsync(await client.PostAsync(Url(customer.ExternalId), Body(Json, """{"amount":10,"reason":"Welcome"}""")), HttpStatusCode.Created);
        var credits = await JsonAsync(await client.GetAsync(Url(customer.ExternalId)), HttpStatusCode.OK);

        Assert.Equal(("25.50", "25.50", "EUR", "Outage credit", false), (created.GetProperty("amount").GetString(), created.GetProperty("remaining").GetString(),
            created.GetProperty("currency").GetString(), created.GetProperty("reason").GetString(), created.GetProperty("expired").GetBoolean()));
        Assert.Equal(expiry.ToUnixTimeSeconds(), created.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal((customer.ExternalId, "EUR", "35.50"), (credits.GetProperty("customer").GetString(), credits.GetProperty("currency").GetString(), credits.GetProperty("balance").GetString()));
        Assert.Equal(["Welcome", "Outage credit"], credits.GetProperty("grants").EnumerateArray().Select(g => g.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, credits.GetProperty("grants")[0].GetProperty("expiresAt").ValueKind);
        var ledger = credits.GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal([("granted", "10.00", "10.00"), ("granted", "25.50", "25.50")],
            ledger.Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("amount").GetString(), e.GetProperty("balanceAfter").GetString())));
        Assert.Equal(created.GetProperty("id").GetInt32(), ledger[1].GetProperty("grant").GetInt32());
    }

    [Theory]
    [InlineData("""{"amount":"0","reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":"-1","reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":"1.234","reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":1.234,"reason":"Goodwill"}""", "amount")]
    [InlineData("""{"reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":[1],"reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":"5"}""", "reason")]
    [InlineData("""{"amount":"5","reason":""}""", "reason")]
    [InlineData("""{"amount":"5","reason":"Goodwill","expiresAt":"2020-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"amount":"5","reason":"Goodwill","expiresAt":"next week"}""", "expiresAt")]
    [InlineData("""{"amount":"5","reason":"Goodwill","expiresAt":"2030-01-01T00:00:00"}""", "expiresAt")]
    public async Task AnInvalidGrantNamesTheFieldAndStoresNothing(string body, string field)
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync("USD");

        var problem = await AssertProblemAsync(await client.PostAsync(Url(customer.ExternalId), Body(Json, body)), HttpStatusCode.BadRequest);

        Assert.Equal(field, Assert.Single(problem.Errors).Field);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task AnUnknownCustomerAnswers404AndABodyThatIsNotJsonIsRefused()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync("USD");

        await AssertProblemAsync(await client.GetAsync(Url("nobody-at-all")), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsync(Url("nobody-at-all"), Body(Json, """{"amount":"5","reason":"x"}""")), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.PostAsync(Url(customer.ExternalId), Body("text/plain", "5")), HttpStatusCode.UnsupportedMediaType);
        var notJson = await AssertProblemAsync(await client.PostAsync(Url(customer.ExternalId), Body(Json, "{")), HttpStatusCode.BadRequest);
        Assert.Equal("body", Assert.Single(notJson.Errors).Field);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task TheLedgerNamesTheInvoiceThatUsedAndGaveBackCredit()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var invoice = await portal.CreateInvoiceAsync(customer.Id, creditsApplied: 700);
        var grant = await portal.CreateGrantAsync(customer.Id, 1_000);
        await portal.ApplyCreditAsync(grant.Id, invoice.Id, 700);
        await JsonAsync(await client.PostAsync($"/api/v1/invoices/{invoice.Id}/void", Body(Json, """{"reason":"Wrong plan"}""")), HttpStatusCode.OK);

        var credits = await JsonAsync(await client.GetAsync(Url(customer.ExternalId)), HttpStatusCode.OK);

        var ledger = credits.GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal(["restored", "applied", "granted"], ledger.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal((invoice.Number, "7.00", "10.00"), (ledger[0].GetProperty("invoiceNumber").GetString(), ledger[0].GetProperty("amount").GetString(), ledger[0].GetProperty("balanceAfter").GetString()));
        Assert.Equal("-7.00", ledger[1].GetProperty("amount").GetString());
        Assert.Equal("10.00", credits.GetProperty("balance").GetString());
    }
}
