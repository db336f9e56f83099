using System.Net;
using System.Text.Json.Nodes;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>
/// A batch is validated as a whole: one bad event and nothing is stored, and the problem answer names every bad
/// event by index and field.
/// </summary>
[Collection(MeteringApiCollection.Name)]
public sealed class BatchValidationTests(MeteringPortal portal) : IAsyncLifetime
{
    private static readonly DateTimeOffset Hour = new(2026, 2, 12, 14, 0, 0, TimeSpan.Zero);

    private readonly string eventType = Unique.EventType("valid.call");
    private readonly string countMeter = Unique.MeterCode("calls");
    private HttpClient api = null!;
    private string customer = "";

    public async Task InitializeAsync()
    {
        api = await portal.ApiClientAsync();
        customer = await portal.CreateCustomerAsync("valid");
        await api.CreateMeterAsync(Meter(countMeter, eventType, "count"));
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private List<JsonObject> GoodBatch(int count) =>
        Enumerable.Range(0, count).Select(i => Event(Unique.Name("ev"), eventType, customer, Hour.AddMinutes(i), new { n = i })).ToList();

    private static List<string> Ids(IEnumerable<JsonObject> events) => events.Select(e => (string)e["id"]!).ToList();

    /// <summary>Nothing of the batch is stored or counted, and the good events are still new when sent alone.</summary>
    private async Task AssertNothingStoredAsync(List<JsonObject> batch, int badIndex)
    {
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
        Assert.Equal(0m, (await api.UsageAsync(customer, Hour, Hour.AddHours(1))).Quantity(countMeter));

        var good = batch.Where((_, i) => i != badIndex).ToList();
        Assert.Equal(new IngestAnswer(good.Count, 0), await api.IngestBatchAsync(good));
        Assert.Equal(good.Count, (await api.UsageAsync(customer, Hour, Hour.AddHours(1))).Quantity(countMeter));
    }

    [Fact]
    public async Task ABatchWithNonObjectDataAtIndexThreeStoresNothingAndNamesThatEvent()
    {
        var batch = GoodBatch(6);
        batch[3]["data"] = new JsonArray(1, 2, 3);

        using var response = await api.PostBatchAsync(batch);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(3, "data")], problem.Fields);
        await AssertNothingStoredAsync(batch, 3);
    }

    [Fact]
    public async Task ABatchWithAnEventMissingItsSubjectStoresNothingAndNamesThatEvent()
    {
        var batch = GoodBatch(5);
        batch[3].Remove("subject");

        using var response = await api.PostBatchAsync(batch);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(3, "subject")], problem.Fields);
        await AssertNothingStoredAsync(batch, 3);
    }

    [Fact]
    public async Task EveryBadEventOfABatchIsListedByIndexAndField()
    {
        var batch = GoodBatch(6);
        batch[1].Remove("id");
        batch[4]["data"] = "not an object";
        batch[4]["type"] = 42;
        batch[5]["time"] = "yesterday";

        using var response = await api.PostBatchAsync(batch);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(
            new[] { (1, "id"), (4, "type"), (4, "data"), (5, "time") }.Select(x => ((int?)x.Item1, x.Item2)).Order(),
            problem.Fields.Order());
        Assert.All(problem.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Reason)));
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
    }

    [Fact]
    public async Task AnEventForAnUnknownCustomerRejectsTheBatchNamingItsSubject()
    {
        var batch = GoodBatch(4);
        batch[2]["subject"] = Unique.Name("nobody");

        using var response = await api.PostBatchAsync(batch);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.Errors);
        Assert.Equal((2, "subject"), (error.Index, error.Field));
        Assert.Contains((string)batch[2]["subject"]!, error.Reason, StringComparison.Ordinal);
        await AssertNothingStoredAsync(batch, 2);
    }

    [Fact]
    public async Task AnEventMoreThanFiveMinutesInTheFutureRejectsTheBatchNamingItsTime()
    {
        var batch = GoodBatch(3);
        batch[1]["time"] = Rfc3339(DateTimeOffset.UtcNow.AddMinutes(6));

        using var response = await api.PostBatchAsync(batch);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal([(1, "time")], problem.Fields);
        await AssertNothingStoredAsync(batch, 1);
    }

    [Fact]
    public async Task AnEventAFewMinutesAheadOfTheServerClockIsAccepted()
    {
        var now = DateTimeOffset.UtcNow;
        var e = Event(Unique.Name("skew"), eventType, customer, now.AddMinutes(4));

        Assert.Equal(new IngestAnswer(1, 0), await api.IngestAsync(Structured, e.ToJsonString()));
        Assert.Equal(1m, (await api.UsageAsync(customer, now.AddMinutes(-1), now.AddMinutes(10))).Quantity(countMeter));
    }

    [Fact]
    public async Task MalformedJsonIsABadRequestThatStoresNothing()
    {
        var batch = GoodBatch(3);
        var text = ArrayBody(batch);

        using var response = await api.PostEventsAsync(Batched, text[..^5]);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.Errors);
        Assert.Equal((null, "body"), (error.Index, error.Field));
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
    }

    [Fact]
    public async Task AStructuredModeRequestHoldingAnArrayIsABadRequest()
    {
        var batch = GoodBatch(2);

        using var response = await api.PostEventsAsync(Structured, ArrayBody(batch));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("body", Assert.Single(problem.Errors).Field);
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/cloudevents+json; charset=latin1")]
    public async Task AnUnsupportedContentTypeIsRefusedWith415(string contentType)
    {
        var batch = GoodBatch(1);

        using var response = await api.PostEventsAsync(contentType, batch[0].ToJsonString());

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("content-type", Assert.Single(problem.Errors).Field);
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
    }

    [Fact]
    public async Task ARequestWithoutContentTypeIsRefusedWith415()
    {
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(GoodBatch(1)[0].ToJsonString()));

        using var response = await api.PostAsync("/api/v1/events", content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }
}
