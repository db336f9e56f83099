using System.Net;
using System.Text.Json;
using UsagePortal.Web.Tests.Billing;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.CostFixtures;

namespace UsagePortal.Web.Tests.Api;

/// <summary>
/// GET /api/v1/customers/{externalId}/usage: its answer's shape, amounts rated through the customer's own plan over
/// ranges other than the current period, and bad input named by field. The current period and its projection are in
/// Billing/CostApiTests (they need a clock that stands still).
/// </summary>
[Collection(MeteringApiCollection.Name)]
public sealed class UsageApiTests(MeteringPortal portal) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 1, 25, 0, 0, 0, TimeSpan.Zero);

    private readonly string eventType = Unique.EventType("usage.call");
    private readonly string countMeter = Unique.MeterCode("calls");
    private HttpClient api = null!;
    private string customer = "";

    public async Task InitializeAsync()
    {
        api = await portal.ApiClientAsync();
        customer = await portal.CreateCustomerAsync("usage");
        await api.CreateMeterAsync(Meter(countMeter, eventType, "count", groupBy: ["region"]));
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheAnswerNamesTheCustomerAndRangeAndGivesQuantitiesAsDecimalStringsPerGroup()
    {
        await api.IngestBatchAsync([
            Event(Unique.Name("u"), eventType, customer, Day.AddHours(1), new { region = "eu" }),
            Event(Unique.Name("u"), eventType, customer, Day.AddHours(1).AddMinutes(1), new { region = "eu" }),
            Event(Unique.Name("u"), eventType, customer, Day.AddHours(1).AddMinutes(2), new { region = "us" }),
            Event(Unique.Name("u"), eventType, customer, Day.AddHours(1).AddMinutes(3)),
        ]);

        using var response = await api.GetAsync(UsageUrl(customer, "2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(customer, root.GetProperty("customer").GetString());
        Assert.Equal(Day, root.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(Day.AddDays(1), root.GetProperty("to").GetDateTimeOffset());
        Assert.Equal("USD", root.GetProperty("currency").GetString());
        var meter = Assert.Single(root.GetProperty("meters").EnumerateArray(), m => m.GetProperty("meter").GetString() == countMeter);
        Assert.Equal("4", meter.GetProperty("quantity").GetString());
        var groups = meter.GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("key").GetProperty("region").GetString() ?? "(none)", g => g.GetProperty("quantity").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["eu"] = "2", ["us"] = "1", ["(none)"] = "1" }, groups);
    }

    [Fact]
    public async Task TimesWithAnOffsetMeanTheSameInstant()
    {
        await api.IngestBatchAsync([Event(Unique.Name("o"), eventType, customer, Day.AddHours(5).AddMinutes(30), new { region = "eu" })]);

        // 05:00Z to 06:00Z written as 07:00+02:00 to 08:00+02:00.
        using var response = await api.GetAsync(UsageUrl(customer, "2026-01-25T07:00:00+02:00", "2026-01-25T08:00:00+02:00"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = Usage.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1m, usage.Quantity(countMeter));
        Assert.Equal(Day.AddHours(5), usage.From);
    }

    [Fact]
    public async Task AnUnknownCustomerIsNotFound()
    {
        using var response = await api.GetAsync(UsageUrl(Unique.Name("nobody"), "2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z"));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("2026-01-25T00:00:00Z", null, "to")]
    [InlineData(null, "2026-01-26T00:00:00Z", "from")]
    [InlineData("2026-01-26T00:00:00Z", "2026-01-25T00:00:00Z", "to")]
    [InlineData("2026-01-25T00:00:00Z", "2026-01-25T00:00:00Z", "to")]
    [InlineData("2026-01-25", "2026-01-26T00:00:00Z", "from")]
    [InlineData("2026-01-25T00:00:00", "2026-01-26T00:00:00Z", "from")]
    [InlineData("yesterday", "2026-01-26T00:00:00Z", "from")]
    [InlineData("2026-01-25T00:00:00Z", "2026-13-01T00:00:00Z", "to")]
    [InlineData("2026-01-25T00:00:00Z", "1769385600", "to")]
    public async Task ABadRangeIsABadRequestNamingTheField(string? from, string? to, string field)
    {
        using var response = await api.GetAsync(UsageUrl(customer, from, to));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, Assert.Single(problem.Errors).Field);
    }

    [Fact]
    public async Task WithoutARangeTheAnswerIsTheCurrentCalendarMonth()
    {
        var now = DateTimeOffset.UtcNow;
        await api.IngestBatchAsync([Event(Unique.Name("now"), eventType, customer, now.AddSeconds(-1), new { region = "eu" })]);

        using var response = await api.GetAsync(UsageUrl(customer, null, null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = Usage.Parse(await response.Content.ReadAsStringAsync());
        var monthStart = new DateTimeOffset(usage.To.Year, usage.To.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-1);
        Assert.Equal(monthStart, usage.From);
        Assert.InRange(now, usage.From, usage.To);
        Assert.Equal(1m, usage.Quantity(countMeter));
    }

    [Fact]
    public async Task ARangeThatIsExactlyABillingPeriodIsPricedAsItsInvoice()
    {
        var tiered = await TieredCustomerAsync();

        var answer = await UsageJsonAsync(tiered.Customer, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

        // 105 calls: 100 × 0.10 + 5 × 0.05; peak storage 60 GB × 0.50; the total adds the 10.00 flat fee.
        Assert.Equal("10.25", MeterOf(answer, tiered.Calls).GetProperty("amount").GetString());
        Assert.Equal("30.00", MeterOf(answer, tiered.Storage).GetProperty("amount").GetString());
        Assert.Equal("50.25", answer.GetProperty("total").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("projection").ValueKind);
        Assert.Equal("USD", answer.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task AnyOtherRangeRatesTheChargesInForceOnTheUsageInsideIt()
    {
        var tiered = await TieredCustomerAsync();

        var answer = await UsageJsonAsync(tiered.Customer, "2026-03-01T00:00:00Z", "2026-03-06T00:00:00Z");

        // 1 to 5 March: 8 + 12 + 8 + 12 + 8 = 48 calls at 0.10, storage peaked at 60 GB on the 5th; no flat fee for a range.
        Assert.Equal("48", MeterOf(answer, tiered.Calls).GetProperty("quantity").GetString());
        Assert.Equal("4.80", MeterOf(answer, tiered.Calls).GetProperty("amount").GetString());
        Assert.Equal("30.00", MeterOf(answer, tiered.Storage).GetProperty("amount").GetString());
        Assert.Equal("34.80", answer.GetProperty("total").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("projection").ValueKind);
    }

    [Fact]
    public async Task EachGroupIsPricedOnItsOwnAndTheMeterAddsThemUp()
    {
        var grouped = await portal.CreateCustomerAsync("grouped");
        var meter = Unique.MeterCode("calls");
        var type = Unique.EventType("usage.grouped");
        await api.CreateMeterAsync(Meter(meter, type, "count", groupBy: ["region"]));
        await portal.SubscribeAsync(grouped, $$"""
            [{ "meter": "{{meter}}", "model": "graduated", "properties": { "ranges": [
                 { "fromValue": "0", "toValue": "10", "perUnitAmount": "1", "flatAmount": "0" },
                 { "fromValue": "10", "toValue": null, "perUnitAmount": "0.5", "flatAmount": "0" } ] } }]
            """, Utc(2026, 1, 1));
        await api.IngestAllAsync([.. Events(type, grouped, Day, 15, new { region = "eu" }), .. Events(type, grouped, Day.AddHours(2), 5, new { region = "us" })]);

        var answer = await UsageJsonAsync(grouped, "2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z");

        // eu: 10 × 1 + 5 × 0.5 = 12.50; us: 5 × 1 = 5.00. The 20 calls priced together would cost 15.00.
        var calls = MeterOf(answer, meter);
        var groups = calls.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetProperty("region").GetString()!, g => g.GetProperty("amount").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["eu"] = "12.50", ["us"] = "5.00" }, groups);
        Assert.Equal("17.50", calls.GetProperty("amount").GetString());
        Assert.Equal("17.50", answer.GetProperty("total").GetString());
    }

    [Fact]
    public async Task WithoutASubscriptionAmountsTotalAndProjectionAreNull()
    {
        await api.IngestBatchAsync([Event(Unique.Name("n"), eventType, customer, Day.AddHours(1), new { region = "eu" })]);

        foreach (var (from, to) in new[] { ("2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z"), ((string?)null, (string?)null) })
        {
            using var response = await api.GetAsync(UsageUrl(customer, from, to));
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("total").ValueKind);
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("projection").ValueKind);
            Assert.All(answer.GetProperty("meters").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("amount").ValueKind));
        }
    }

    [Fact]
    public async Task EachCustomerIsPricedByItsOwnPlanAndNeverByAnothers()
    {
        // Two customers send the same usage to the same meter; only the first has a plan, the second a dearer one from April.
        var meter = Unique.MeterCode("shared");
        var type = Unique.EventType("usage.shared");
        await api.CreateMeterAsync(Meter(meter, type, "count"));
        var priced = await portal.CreateCustomerAsync("priced");
        var other = await portal.CreateCustomerAsync("other");
        await portal.SubscribeAsync(priced, $$"""[{ "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "0.25" } }]""", Utc(2026, 1, 1));
        await portal.SubscribeAsync(other, $$"""[{ "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "9" } }]""", Utc(2026, 4, 1));
        await api.IngestAllAsync([.. Events(type, priced, Day, 4), .. Events(type, other, Day, 4)]);

        var pricedAnswer = await UsageJsonAsync(priced, "2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z");
        var otherAnswer = await UsageJsonAsync(other, "2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z");

        Assert.Equal("1.00", MeterOf(pricedAnswer, meter).GetProperty("amount").GetString());
        Assert.Equal("4", MeterOf(otherAnswer, meter).GetProperty("quantity").GetString());
        Assert.Equal(JsonValueKind.Null, MeterOf(otherAnswer, meter).GetProperty("amount").ValueKind);
        Assert.Equal(JsonValueKind.Null, otherAnswer.GetProperty("total").ValueKind);
    }

    [Theory]
    [InlineData("2026-03-01T00:00:00Z", null, "to")]
    [InlineData("2026-03-01", "2026-04-01T00:00:00Z", "from")]
    [InlineData("2026-04-01T00:00:00Z", "2026-03-01T00:00:00Z", "to")]
    public async Task ABadRangeIsNamedForACustomerWithAPlanToo(string? from, string? to, string field)
    {
        var tiered = await TieredCustomerAsync();

        using var response = await api.GetAsync(UsageUrl(tiered.Customer, from, to));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, Assert.Single(problem.Errors).Field);
    }

    private async Task<(string Customer, string Calls, string Storage)> TieredCustomerAsync()
    {
        var tiered = await CostQueryTests.TieredCustomerAsync(portal, api);
        return (tiered.ExternalId, tiered.Calls, tiered.Storage);
    }

    private async Task<JsonElement> UsageJsonAsync(string externalId, string? from, string? to)
    {
        using var response = await api.GetAsync(UsageUrl(externalId, from, to));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET usage answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static JsonElement MeterOf(JsonElement answer, string meter) =>
        Assert.Single(answer.GetProperty("meters").EnumerateArray(), m => m.GetProperty("meter").GetString() == meter);
}
