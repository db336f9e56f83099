using System.Net;
using System.Text.Json.Nodes;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>
/// PRODUCT.md "Event values", over HTTP: a value a meter cannot use refuses the whole batch with 400 naming the event's
/// index and the field, and stores nothing; before the hardening issue each of these answered 200 and counted nothing.
/// </summary>
[Collection(MeteringApiCollection.Name)]
public sealed class EventValueTests(MeteringPortal portal) : IAsyncLifetime
{
    private readonly DateTimeOffset hour = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-1).AddHours(9);
    private readonly string eventType = Unique.EventType("values.llm");
    private readonly string tokens = Unique.MeterCode("tokens");
    private readonly string byModel = Unique.MeterCode("by_model");
    private HttpClient api = null!;
    private string customer = "";

    public async Task InitializeAsync()
    {
        api = await portal.ApiClientAsync();
        customer = await portal.CreateCustomerAsync("values");
        await api.CreateMeterAsync(Meter(tokens, eventType, "sum", "tokens"));
        await api.CreateMeterAsync(Meter(byModel, eventType, "count", groupBy: ["model"]));
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private JsonObject TokensEvent(JsonNode? value, string? id = null) =>
        Event(id ?? Unique.Name("tok"), eventType, customer, hour, new JsonObject { ["model"] = "small", ["tokens"] = value });

    [Theory]
    [InlineData("1e400")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("1e30")]
    [InlineData("79228162514264337593543950336")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{\"a\":1}")]
    [InlineData("\"0x10\"")]
    [InlineData("1.234567890123456789012345678901")]
    public async Task AnUnusableNumberRefusesTheBatchNamingItsIndexAndFieldAndStoresNothing(string value)
    {
        var good = TokensEvent(JsonValue.Create(5));
        var badId = Unique.Name("bad");
        // Raw text, so that 1e400 and the 31-digit decimal reach the server exactly as written.
        var bad = TokensEvent(JsonValue.Create(0), badId).ToJsonString().Replace("\"tokens\":0", "\"tokens\":" + value, StringComparison.Ordinal);
        var body = $"[{good.ToJsonString()},{bad}]";

        using var response = await api.PostEventsAsync(Batched, body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.Errors);
        Assert.Equal((1, "data.tokens"), (error.Index, error.Field));
        Assert.Contains(tokens, error.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await portal.StoredEventCountAsync([(string)good["id"]!, badId]));
        Assert.Equal(0m, (await api.UsageAsync(customer, hour, hour.AddHours(1))).Quantity(tokens));
    }

    [Fact]
    public async Task ANegativeValueIsACorrectionAndIsStoredAndCounted()
    {
        Assert.Equal(new IngestAnswer(2, 0), await api.IngestBatchAsync([TokensEvent(JsonValue.Create(10)), TokensEvent(JsonValue.Create("-3.5"))]));

        Assert.Equal(6.5m, (await api.UsageAsync(customer, hour, hour.AddHours(1))).Quantity(tokens));
    }

    [Fact]
    public async Task AGroupByValueOfNineMebibytesIsRefusedAndNotUsedAsAGroupKey()
    {
        var huge = Event(Unique.Name("huge"), eventType, customer, hour, new JsonObject { ["model"] = new string('m', 9 * 1024 * 1024) });

        using var response = await api.PostBatchAsync([huge]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.Errors);
        Assert.Equal((0, "data.model"), (error.Index, error.Field));
        Assert.Contains("at most 256", error.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await portal.StoredEventCountAsync([(string)huge["id"]!]));
    }

    [Fact]
    public async Task AnIdWithANulCharacterIsRefused()
    {
        var e = TokensEvent(JsonValue.Create(1), "evt\u0000nul" + Guid.NewGuid().ToString("N"));

        using var response = await api.PostBatchAsync([e]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(0, "id")], problem.Fields);
        Assert.Contains("control characters", problem.Errors[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventFromTheYearOneIsRefused()
    {
        var e = Event(Unique.Name("old"), eventType, customer, hour, new JsonObject { ["tokens"] = 1 });
        e["time"] = "0001-01-01T00:00:00Z";

        using var response = await api.PostBatchAsync([e]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(0, "time")], problem.Fields);
        Assert.Contains("730 days", problem.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Equal(0, await portal.StoredEventCountAsync([(string)e["id"]!]));
    }

    [Fact]
    public async Task TheSameIdTwiceWithDifferentContentIsRefusedNamingBothIndexes()
    {
        var id = Unique.Name("twice");
        var first = TokensEvent(JsonValue.Create(1), id);
        var other = TokensEvent(JsonValue.Create(2));
        var second = TokensEvent(JsonValue.Create(99), id);

        using var response = await api.PostBatchAsync([first, other, second]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(0, "id"), (2, "id")], problem.Fields);
        Assert.Equal(0, await portal.StoredEventCountAsync([id, (string)other["id"]!]));
    }

    [Fact]
    public async Task UnknownCustomersAndUnusableValuesAreListedTogether()
    {
        var stranger = Event(Unique.Name("who"), eventType, "nobody-" + Guid.NewGuid().ToString("N"), hour, new JsonObject { ["tokens"] = 1 });

        using var response = await api.PostBatchAsync([TokensEvent(JsonValue.Create("NaN")), stranger]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(0, "data.tokens"), (1, "subject")], problem.Fields);
    }
}
