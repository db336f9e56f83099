using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Api;

/// <summary>POST/GET /api/v1/meters: creation, listing, errors naming the field, and versioning of meters in use.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class MetersApiTests(MeteringPortal portal) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 1, 20, 0, 0, 0, TimeSpan.Zero);

    private readonly string eventType = Unique.EventType("meters.call");
    private HttpClient api = null!;

    public async Task InitializeAsync() => api = await portal.ApiClientAsync();

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private async Task<List<JsonElement>> ListAsync()
    {
        var response = await api.GetAsync("/api/v1/meters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public async Task AMeterIsCreatedAndListedWithItsWholeDefinition()
    {
        var code = Unique.MeterCode("tokens");

        using var response = await api.PostMeterAsync(Meter(code, eventType, "sum", "usage.tokens",
            new Dictionary<string, string[]> { ["region"] = ["eu", "us"] }, ["model", "region"]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/v1/meters/{code}", response.Headers.Location?.OriginalString);
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var listed = Assert.Single(await ListAsync(), m => m.GetProperty("code").GetString() == code);
        foreach (var meter in new[] { created, listed })
        {
            Assert.Equal($"Meter {code}", meter.GetProperty("name").GetString());
            Assert.Equal(eventType, meter.GetProperty("eventType").GetString());
            Assert.Equal("sum", meter.GetProperty("aggregation").GetString());
            Assert.Equal("usage.tokens", meter.GetProperty("property").GetString());
            Assert.Equal(new[] { "eu", "us" }, meter.GetProperty("filters").GetProperty("region").EnumerateArray().Select(v => v.GetString()!));
            Assert.Equal(new[] { "model", "region" }, meter.GetProperty("groupBy").EnumerateArray().Select(v => v.GetString()!));
            Assert.Equal(1, meter.GetProperty("version").GetInt32());
        }
    }

    [Theory]
    [InlineData("count", null)]
    [InlineData("sum", "amount")]
    [InlineData("max", "gb")]
    [InlineData("unique_count", "user_id")]
    [InlineData("latest", "seats")]
    public async Task EveryAggregationCanBeCreated(string aggregation, string? property)
    {
        var code = Unique.MeterCode(aggregation);

        var meter = await api.CreateMeterAsync(Meter(code, eventType, aggregation, property));

        Assert.Equal(aggregation, meter.GetProperty("aggregation").GetString());
        Assert.Contains(await ListAsync(), m => m.GetProperty("code").GetString() == code);
    }

    public static TheoryData<string, Dictionary<string, object?>, string> BadMeters => new()
    {
        { "a code with capitals", Meter("Bad-Code", "x.y", "count"), "code" },
        { "no code", Meter("", "x.y", "count"), "code" },
        { "an unknown aggregation", Meter("median_meter", "x.y", "median", "value"), "aggregation" },
        { "a sum without property", Meter("sum_meter", "x.y", "sum"), "property" },
        { "a count with a property", Meter("count_meter", "x.y", "count", "tokens"), "property" },
        { "no event type", Meter("no_type", "", "count"), "eventType" },
        { "a filter without values", Meter("empty_filter", "x.y", "count", filters: new() { ["region"] = [] }), "filters.region" },
        { "a repeated group-by", Meter("twice_grouped", "x.y", "count", groupBy: ["region", "region"]), "groupBy[1]" },
    };

    [Theory]
    [MemberData(nameof(BadMeters))]
    public async Task AnInvalidMeterIsRefusedNamingTheField(string because, Dictionary<string, object?> meter, string field)
    {
        using var response = await api.PostMeterAsync(meter);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors.Any(e => e.Field == field), $"{because}: expected an error on '{field}', got {string.Join("; ", problem.Errors)}");
        var code = (string)meter["code"]!;
        Assert.DoesNotContain(await ListAsync(), m => m.GetProperty("code").GetString() == code);
    }

    [Fact]
    public async Task ABodyThatIsNotAMeterIsRefusedNamingTheField()
    {
        using var wrongType = await api.PostAsync("/api/v1/meters", Body(Json, """{"code": 5, "name": "x", "eventType": "x", "aggregation": "count"}"""));
        Assert.Equal("code", Assert.Single((await AssertProblemAsync(wrongType, HttpStatusCode.BadRequest)).Errors).Field);

        using var broken = await api.PostAsync("/api/v1/meters", Body(Json, """{"code": "x" """));
        await AssertProblemAsync(broken, HttpStatusCode.BadRequest);

        using var notJson = await api.PostAsync("/api/v1/meters", Body("text/plain", "code=x"));
        await AssertProblemAsync(notJson, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task PostingTheSameMeterAgainChangesNothing()
    {
        var code = Unique.MeterCode("same");
        await api.CreateMeterAsync(Meter(code, eventType, "count"));

        using var again = await api.PostMeterAsync(Meter(code, eventType, "count"));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task AMeterNotYetInUseChangesAtOnce()
    {
        var customer = await portal.CreateCustomerAsync("meters");
        var code = Unique.MeterCode("unused");
        await api.CreateMeterAsync(Meter(code, eventType, "count", filters: new() { ["region"] = ["eu"] }));

        using var changed = await api.PostMeterAsync(Meter(code, eventType, "sum", "units"));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());

        await api.IngestBatchAsync([
            Event(Unique.Name("u"), eventType, customer, Day.AddHours(1), new { region = "us", units = 4 }),
            Event(Unique.Name("u"), eventType, customer, Day.AddHours(1).AddMinutes(5), new { region = "eu", units = 5 }),
        ]);
        Assert.Equal(9m, (await api.UsageAsync(customer, Day, Day.AddDays(1))).Quantity(code));
    }

    [Fact]
    public async Task ChangingAMeterInUseMakesVersionTwoFromNextMonthAndPastUsageKeepsVersionOnesMeaning()
    {
        var customer = await portal.CreateCustomerAsync("meters");
        var code = Unique.MeterCode("versioned");
        await api.CreateMeterAsync(Meter(code, eventType, "count", filters: new() { ["region"] = ["eu"] }));
        await api.IngestBatchAsync([
            Event(Unique.Name("v"), eventType, customer, Day.AddHours(2), new { region = "eu", units = 10 }),
            Event(Unique.Name("v"), eventType, customer, Day.AddHours(2).AddMinutes(1), new { region = "eu", units = 20 }),
            Event(Unique.Name("v"), eventType, customer, Day.AddHours(2).AddMinutes(2), new { region = "us", units = 40 }),
        ]);
        Assert.Equal(2m, (await api.UsageAsync(customer, Day, Day.AddDays(1))).Quantity(code));

        var before = DateTime.UtcNow;
        using var response = await api.PostMeterAsync(Meter(code, eventType, "sum", "units", filters: new() { ["region"] = ["us"] }));
        var after = DateTime.UtcNow;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var changed = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, changed.GetProperty("version").GetInt32());
        Assert.Equal("sum", changed.GetProperty("aggregation").GetString());
        var effectiveFrom = changed.GetProperty("effectiveFrom").GetDateTimeOffset();
        Assert.Equal(TimeSpan.Zero, effectiveFrom.Offset);
        Assert.Contains(effectiveFrom.UtcDateTime, new[] { NextMonth(before), NextMonth(after) });
        var listed = Assert.Single(await ListAsync(), m => m.GetProperty("code").GetString() == code);
        Assert.Equal(2, listed.GetProperty("version").GetInt32());

        // Version 1 is kept and still gives the meaning of everything before next month, late events included.
        await portal.WithServicesAsync(async services =>
        {
            var versions = await services.GetRequiredService<UsagePortalDbContext>().Meters.Where(m => m.Code == code)
                .SelectMany(m => m.Versions).OrderBy(v => v.Version).Select(v => new { v.Version, v.Aggregation }).ToListAsync();
            Assert.Equal(new[] { (1, "count"), (2, "sum") }, versions.Select(v => (v.Version, v.Aggregation)));
        });
        await api.IngestBatchAsync([
            Event(Unique.Name("late"), eventType, customer, Day.AddHours(3), new { region = "eu", units = 80 }),
            Event(Unique.Name("late"), eventType, customer, Day.AddHours(3).AddMinutes(1), new { region = "us", units = 160 }),
        ]);
        var usage = await api.UsageAsync(customer, Day, Day.AddDays(1));
        Assert.Equal(3m, usage.Quantity(code));
        Assert.Equal(3m, (await api.UsageAsync(customer, Day.AddMinutes(30), Day.AddHours(3).AddMinutes(30))).Quantity(code));
    }

    [Fact]
    public async Task ChangingAMeterInUseIsRecordedInTheAuditLog()
    {
        var customer = await portal.CreateCustomerAsync("meters");
        var code = Unique.MeterCode("audited");
        await api.CreateMeterAsync(Meter(code, eventType, "count"));
        await api.IngestBatchAsync([Event(Unique.Name("a"), eventType, customer, Day.AddHours(4))]);

        using var response = await api.PostMeterAsync(Meter(code, eventType, "unique_count", "user_id"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var actions = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().AuditEntries
            .Where(a => a.Subject == $"meter:{code}").Select(a => a.Action).ToListAsync());
        Assert.Equal(new[] { "meter.changed", "meter.created" }, actions.Order(StringComparer.Ordinal));
    }

    private static DateTime NextMonth(DateTime utc) => new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
}
