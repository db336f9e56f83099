using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using UsagePortal.Metering;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>
/// POST /api/v1/events speaks the CloudEvents 1.0 HTTP binding in all three content modes, plus plain JSON;
/// whatever the mode, the answer counts the events and the usage API counts what was sent.
/// </summary>
[Collection(MeteringApiCollection.Name)]
public sealed class ContentModeTests(MeteringPortal portal) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 2, 10, 0, 0, 0, TimeSpan.Zero);

    private readonly string eventType = Unique.EventType("modes.call");
    private readonly string countMeter = Unique.MeterCode("calls");
    private readonly string sumMeter = Unique.MeterCode("tokens");
    private HttpClient api = null!;
    private string customer = "";

    public async Task InitializeAsync()
    {
        api = await portal.ApiClientAsync();
        customer = await portal.CreateCustomerAsync("modes");
        await api.CreateMeterAsync(Meter(countMeter, eventType, "count"));
        await api.CreateMeterAsync(Meter(sumMeter, eventType, "sum", "tokens"));
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AStructuredModeEventIsAcceptedAndCounted()
    {
        var e = Event(Unique.Name("s"), eventType, customer, Day.AddHours(1).AddMinutes(5), new { tokens = 12.5m });

        var answer = await api.IngestAsync(Structured, e.ToJsonString());

        Assert.Equal(new IngestAnswer(1, 0), answer);
        var usage = await api.UsageAsync(customer, Day.AddHours(1), Day.AddHours(2));
        Assert.Equal(1m, usage.Quantity(countMeter));
        Assert.Equal(12.5m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task ABatchStreamedWithoutALengthAndLargerThanTheFirstBufferIsReadWhole()
    {
        // No Content-Length: the body is read into a 64 KiB buffer that grows; about 200 KiB makes it grow twice.
        var events = Enumerable.Range(0, 400)
            .Select(i => Event(Unique.Name("c"), eventType, customer, Day.AddHours(3).AddSeconds(i), new { tokens = i, note = new string((char)('a' + i % 26), 400) }))
            .ToList();
        var bytes = Encoding.UTF8.GetBytes(ArrayBody(events));
        Assert.True(bytes.Length > 3 * 64 * 1024, "The body must outgrow the first buffer more than once.");
        using var content = new UnknownLengthContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(Batched);

        using var response = await api.PostAsync(new Uri("/api/v1/events", UriKind.Relative), content);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var usage = await api.UsageAsync(customer, Day.AddHours(3), Day.AddHours(4));
        Assert.Equal(400m, usage.Quantity(countMeter));
        Assert.Equal(Enumerable.Range(0, 400).Sum(), usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task ABatchedModeArrayIsAcceptedAndEveryEventCounted()
    {
        var events = Enumerable.Range(0, 7)
            .Select(i => Event(Unique.Name("b"), eventType, customer, Day.AddHours(2).AddMinutes(i * 7), new { tokens = i + 1 }))
            .ToList();

        var answer = await api.IngestAsync(Batched, ArrayBody(events));

        Assert.Equal(new IngestAnswer(7, 0), answer);
        var usage = await api.UsageAsync(customer, Day.AddHours(2), Day.AddHours(3));
        Assert.Equal(7m, usage.Quantity(countMeter));
        Assert.Equal(28m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task ABinaryModeEventCarriesItsAttributesInHeadersAndItsDataAsTheBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"tokens":"40.25","model":"small"}""")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(Json);
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", Unique.Name("bin"));
        request.Headers.Add("ce-source", TestSource);
        request.Headers.Add("ce-type", eventType);
        request.Headers.Add("ce-subject", customer);
        request.Headers.Add("ce-time", Rfc3339(Day.AddHours(3).AddMinutes(30)));

        using var response = await api.SendAsync(request);

        Assert.Equal(new IngestAnswer(1, 0), await ReadIngestAnswerAsync(response));
        var usage = await api.UsageAsync(customer, Day.AddHours(3), Day.AddHours(4));
        Assert.Equal(1m, usage.Quantity(countMeter));
        Assert.Equal(40.25m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task APlainJsonEventNeedsNoSpecVersionOrSource()
    {
        var e = Event(Unique.Name("pj"), eventType, customer, Day.AddHours(4).AddMinutes(1), new { tokens = 3 }, source: null, specVersion: false);

        var answer = await api.IngestAsync(Json, e.ToJsonString());

        Assert.Equal(new IngestAnswer(1, 0), answer);
        var usage = await api.UsageAsync(customer, Day.AddHours(4), Day.AddHours(5));
        Assert.Equal(1m, usage.Quantity(countMeter));
        Assert.Equal(3m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task APlainJsonArrayIsAcceptedWithOrWithoutSources()
    {
        var events = new List<JsonObject>
        {
            Event(Unique.Name("pa"), eventType, customer, Day.AddHours(5).AddMinutes(10), new { tokens = 1 }, source: null, specVersion: false),
            Event(Unique.Name("pa"), eventType, customer, Day.AddHours(5).AddMinutes(20), new { tokens = 2 }, specVersion: false),
            Event(Unique.Name("pa"), eventType, customer, Day.AddHours(5).AddMinutes(30), new { tokens = 4 }, source: null),
        };

        var answer = await api.IngestAsync(Json, ArrayBody(events));

        Assert.Equal(new IngestAnswer(3, 0), answer);
        var usage = await api.UsageAsync(customer, Day.AddHours(5), Day.AddHours(6));
        Assert.Equal(3m, usage.Quantity(countMeter));
        Assert.Equal(7m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task APlainJsonEventWithoutSourceIsDeduplicatedUnderTheDefaultSource()
    {
        var id = Unique.Name("default-source");
        var e = Event(id, eventType, customer, Day.AddHours(6).AddMinutes(10), new { tokens = 5 }, source: null, specVersion: false);
        Assert.Equal(new IngestAnswer(1, 0), await api.IngestAsync(Json, e.ToJsonString()));

        // The same id with the default source spelled out is the same event.
        var spelledOut = Event(id, eventType, customer, Day.AddHours(6).AddMinutes(10), new { tokens = 5 }, source: EventReaderOptions.DefaultSource);
        Assert.Equal(new IngestAnswer(0, 1), await api.IngestAsync(Structured, spelledOut.ToJsonString()));

        var usage = await api.UsageAsync(customer, Day.AddHours(6), Day.AddHours(7));
        Assert.Equal(1m, usage.Quantity(countMeter));
    }
}
