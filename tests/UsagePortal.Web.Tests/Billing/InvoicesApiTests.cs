using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Billing;

public sealed class InvoicesApiTests(CreditsPortal portal) : IClassFixture<CreditsPortal>
{
    private const string Breakdown = """{"amount":"102","breakdown":[{"kind":"range","fromValue":"0","toValue":"10","units":"10","perUnitAmount":"10","flatAmount":"2","amount":"102"}]}""";

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string url, string json) => client.PostAsync(url, Body(Json, json));

    [Fact]
    public async Task AnInvoiceHasTheProductsShapeWithAmountsAsDecimalStrings()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var invoice = await portal.CreateInvoiceAsync(customer.Id, taxRate: 0.2m, creditsApplied: 234, lines:
        [
            new TestLine("API calls, region eu", 10_200, Meter: "api_calls", GroupKey: """{"region":"eu"}""", Quantity: 10m, BreakdownJson: Breakdown),
            new TestLine("Flat fee, Pro", 4_900, Kind: "flat_fee"),
        ]);
        using (var note = await PostJsonAsync(client, $"/api/v1/invoices/{invoice.Id}/credit-notes", """{"amount":"5","reason":"Goodwill"}"""))
        {
            await OkJsonAsync(note, HttpStatusCode.Created);
        }

        var answer = await OkJsonAsync(await client.GetAsync($"/api/v1/invoices/{invoice.Id}"));

        Assert.Equal(invoice.Id, answer.GetProperty("id").GetInt64());
        Assert.Equal(invoice.Number, answer.GetProperty("number").GetString());
        Assert.Equal(customer.ExternalId, answer.GetProperty("customer").GetString());
        Assert.Equal("2026-09-01T00:00:00+00:00", answer.GetProperty("periodStart").GetString());
        Assert.Equal("2026-10-01T00:00:00+00:00", answer.GetProperty("periodEnd").GetString());
        Assert.Equal("finalized", answer.GetProperty("status").GetString());
        Assert.Equal("USD", answer.GetProperty("currency").GetString());
        Assert.Equal("151.00", answer.GetProperty("subtotal").GetString());
        Assert.Equal("2.34", answer.GetProperty("creditsApplied").GetString());
        Assert.Equal("29.73", answer.GetProperty("tax").GetString());
        Assert.Equal("0.2", answer.GetProperty("taxRate").GetString());
        Assert.Equal("178.39", answer.GetProperty("total").GetString());
        Assert.Equal(JsonValueKind.String, answer.GetProperty("finalizedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, answer.GetProperty("finalizesAt").ValueKind);
        var lines = answer.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("charge", lines[0].GetProperty("kind").GetString());
        Assert.Equal("API calls, region eu", lines[0].GetProperty("description").GetString());
        Assert.Equal("api_calls", lines[0].GetProperty("meter").GetString());
        Assert.Equal("eu", lines[0].GetProperty("group").GetProperty("region").GetString());
        Assert.Equal("10", lines[0].GetProperty("quantity").GetString());
        Assert.Equal("102.00", lines[0].GetProperty("amount").GetString());
        Assert.Equal("102", lines[0].GetProperty("breakdown").GetProperty("breakdown")[0].GetProperty("amount").GetString());
        Assert.Equal("2026-09-01T00:00:00+00:00", lines[0].GetProperty("usageFrom").GetString());
        Assert.Equal("2026-10-01T00:00:00+00:00", lines[0].GetProperty("usageTo").GetString());
        Assert.Equal("flat_fee", lines[1].GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("meter").ValueKind);
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("group").ValueKind);
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("breakdown").ValueKind);
        var creditNote = Assert.Single(answer.GetProperty("creditNotes").EnumerateArray().ToList());
        Assert.Matches("^CN-[0-9]{6}$", creditNote.GetProperty("number").GetString());
        Assert.Equal(("5.00", "Goodwill"), (creditNote.GetProperty("amount").GetString(), creditNote.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task ADraftHasNoNumberYet()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync("JPY");
        var draft = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft, [new TestLine("Storage", 1500)], currency: "JPY");

        var answer = await OkJsonAsync(await client.GetAsync($"/api/v1/invoices/{draft.Id}"));

        Assert.Equal(JsonValueKind.Null, answer.GetProperty("number").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("finalizedAt").ValueKind);
        Assert.Equal(("draft", "1500"), (answer.GetProperty("status").GetString(), answer.GetProperty("total").GetString()));
    }

    [Fact]
    public async Task TheListIsOneCustomersNewestPeriodFirstAndFiltersByStatusAndLimit()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var other = await portal.CreateBillingCustomerAsync();
        var september = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid, periodStart: new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc));
        var october = await portal.CreateInvoiceAsync(customer.Id, periodStart: new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc));
        var november = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft, periodStart: new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc));
        await portal.CreateInvoiceAsync(other.Id);

        var all = await OkJsonAsync(await client.GetAsync($"/api/v1/invoices?customer={customer.ExternalId}"));
        var paid = await OkJsonAsync(await client.GetAsync($"/api/v1/invoices?customer={customer.ExternalId}&status=paid"));
        var limited = await OkJsonAsync(await client.GetAsync($"/api/v1/invoices?customer={customer.ExternalId}&limit=2"));
        var everyone = await OkJsonAsync(await client.GetAsync("/api/v1/invoices?limit=1000"));

        Assert.Equal([november.Id, october.Id, september.Id], all.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.All(all.EnumerateArray(), i => Assert.Equal(customer.ExternalId, i.GetProperty("customer").GetString()));
        Assert.Equal([september.Id], paid.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal([november.Id, october.Id], limited.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Contains(everyone.EnumerateArray(), i => i.GetProperty("customer").GetString() == other.ExternalId);
    }

    [Theory]
    [InlineData("status=open", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    public async Task ABadQueryNamesTheParameter(string query, string field)
    {
        using var client = await portal.ApiClientAsync();

        var problem = await AssertProblemAsync(await client.GetAsync($"/api/v1/invoices?{query}"), HttpStatusCode.BadRequest);

        Assert.Equal(field, Assert.Single(problem.Errors).Field);
    }

    [Fact]
    public async Task EveryInvoiceAndCreditEndpointNeedsAnOperatorKey()
    {
        using var anonymous = await portal.AnonymousClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        var answers = new[]
        {
            await anonymous.GetAsync("/api/v1/invoices"),
            await anonymous.GetAsync($"/api/v1/invoices/{invoice.Id}"),
            await PostJsonAsync(anonymous, $"/api/v1/invoices/{invoice.Id}/void", """{"reason":"x"}"""),
            await PostJsonAsync(anonymous, $"/api/v1/invoices/{invoice.Id}/credit-notes", """{"amount":"1","reason":"x"}"""),
            await anonymous.GetAsync($"/api/v1/customers/{customer.ExternalId}/credits"),
            await PostJsonAsync(anonymous, $"/api/v1/customers/{customer.ExternalId}/credits", """{"amount":"1","reason":"x"}"""),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        Assert.Equal(InvoiceStatuses.Finalized, (await portal.InvoiceAsync(invoice.Id)).Status);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task UnknownCustomersAndInvoicesAnswer404()
    {
        using var client = await portal.ApiClientAsync();

        await AssertProblemAsync(await client.GetAsync("/api/v1/invoices?customer=nobody-at-all"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync("/api/v1/invoices/999999999"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync("/api/v1/invoices/not-a-number"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await PostJsonAsync(client, "/api/v1/invoices/999999999/void", """{"reason":"x"}"""), HttpStatusCode.NotFound);
        await AssertProblemAsync(await PostJsonAsync(client, "/api/v1/invoices/999999999/credit-notes", """{"amount":"1","reason":"x"}"""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task VoidingThroughTheApiAnswersTheVoidInvoiceAndASecondVoidConflicts()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        var voided = await OkJsonAsync(await PostJsonAsync(client, $"/api/v1/invoices/{invoice.Id}/void", """{"reason":"Duplicate"}"""));
        var again = await AssertProblemAsync(await PostJsonAsync(client, $"/api/v1/invoices/{invoice.Id}/void", """{"reason":"Duplicate"}"""), HttpStatusCode.Conflict);

        Assert.Equal(("void", "Duplicate"), (voided.GetProperty("status").GetString(), voided.GetProperty("voidReason").GetString()));
        Assert.Equal("status", Assert.Single(again.Errors).Field);
        var audit = await portal.WithDbAsync(db => db.AuditEntries.SingleAsync(a => a.Subject == $"invoice:{invoice.Number}"));
        Assert.StartsWith("api-key:", audit.Actor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVoidWithoutAReasonIsRefusedAndChangesNothing()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        var problem = await AssertProblemAsync(await PostJsonAsync(client, $"/api/v1/invoices/{invoice.Id}/void", "{}"), HttpStatusCode.BadRequest);

        Assert.Equal("reason", Assert.Single(problem.Errors).Field);
        Assert.Equal(InvoiceStatuses.Finalized, (await portal.InvoiceAsync(invoice.Id)).Status);
    }

    [Theory]
    [InlineData("""{"amount":"0","reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":-3,"reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":"1.005","reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":"100.01","reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":true,"reason":"Goodwill"}""", "amount")]
    [InlineData("""{"amount":"1"}""", "reason")]
    [InlineData("""{"amount":"1","reason":42}""", "reason")]
    public async Task AnInvalidCreditNoteNamesTheFieldAndIssuesNothing(string body, string field)
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, lines: [new TestLine("API calls", 10_000)]);

        var problem = await AssertProblemAsync(await PostJsonAsync(client, $"/api/v1/invoices/{invoice.Id}/credit-notes", body), HttpStatusCode.BadRequest);

        Assert.Equal(field, Assert.Single(problem.Errors).Field);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }

    [Fact]
    public async Task ACreditNoteTakesItsAmountAsANumberToo()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var invoice = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Paid);

        using var response = await PostJsonAsync(client, $"/api/v1/invoices/{invoice.Id}/credit-notes", """{"amount":12.5,"reason":"Goodwill"}""");
        var answer = await OkJsonAsync(response, HttpStatusCode.Created);

        Assert.Equal($"/api/v1/invoices/{invoice.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal("12.50", answer.GetProperty("creditNotes")[0].GetProperty("amount").GetString());
        var credits = await OkJsonAsync(await client.GetAsync($"/api/v1/customers/{customer.ExternalId}/credits"));
        Assert.Equal("12.50", credits.GetProperty("balance").GetString());
    }

    [Fact]
    public async Task ACreditNoteOnADraftConflicts()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateBillingCustomerAsync();
        var draft = await portal.CreateInvoiceAsync(customer.Id, InvoiceStatuses.Draft);

        var problem = await AssertProblemAsync(await PostJsonAsync(client, $"/api/v1/invoices/{draft.Id}/credit-notes", """{"amount":"1","reason":"x"}"""), HttpStatusCode.Conflict);

        Assert.Contains("draft", Assert.Single(problem.Errors).Reason, StringComparison.Ordinal);
        Assert.Equal((0, 0, 0, 0), await portal.CountsAsync(customer.Id));
    }
}
