using System.Net;
using System.Text.Json;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Api;

/// <summary>GET /api/v1/customers/{externalId}/usage: its answer's shape, and bad input named by field.</summary>
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
}
