using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>Body size and batch length limits answer 413 naming the limit, and store nothing.</summary>
public sealed class IngestionLimitsTests(IngestionLimitsTests.SmallLimitsPortal portal) : IClassFixture<IngestionLimitsTests.SmallLimitsPortal>, IAsyncLifetime
{
    private const int MaxBodyBytes = 2048;
    private const int MaxEventsPerBatch = 5;
    private static readonly DateTimeOffset Hour = new(2026, 2, 13, 8, 0, 0, TimeSpan.Zero);

    private readonly string eventType = Unique.EventType("limits.call");
    private readonly string countMeter = Unique.MeterCode("calls");
    private HttpClient api = null!;
    private string customer = "";

    public sealed class SmallLimitsPortal : MeteringPortal
    {
        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [
            new("Ingestion:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Ingestion:MaxEventsPerBatch", MaxEventsPerBatch.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
    }

    public async Task InitializeAsync()
    {
        api = await portal.ApiClientAsync();
        customer = await portal.CreateCustomerAsync("limits");
        await api.CreateMeterAsync(Meter(countMeter, eventType, "count"));
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private List<JsonObject> Batch(int count, int padding = 0) =>
        Enumerable.Range(0, count)
            .Select(i => Event(Unique.Name("lim"), eventType, customer, Hour.AddMinutes(i), new { pad = new string('x', padding) }))
            .ToList();

    private static List<string> Ids(IEnumerable<JsonObject> events) => events.Select(e => (string)e["id"]!).ToList();

    private async Task<decimal> CountAsync() => (await api.UsageAsync(customer, Hour, Hour.AddHours(1))).Quantity(countMeter);

    [Fact]
    public async Task ABatchAtBothLimitsIsAccepted()
    {
        var batch = Batch(MaxEventsPerBatch);
        var body = ArrayBody(batch);
        Assert.True(Encoding.UTF8.GetByteCount(body) <= MaxBodyBytes, "The test batch must fit the body limit.");

        Assert.Equal(new IngestAnswer(MaxEventsPerBatch, 0), await api.IngestAsync(Batched, body));
        Assert.Equal(MaxEventsPerBatch, await CountAsync());
    }

    [Fact]
    public async Task ABodyOverTheLimitIsRefusedWith413NamingTheLimit()
    {
        var batch = Batch(2, padding: 1200);
        var body = ArrayBody(batch);
        Assert.True(Encoding.UTF8.GetByteCount(body) > MaxBodyBytes);

        using var response = await api.PostEventsAsync(Batched, body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"at most {MaxBodyBytes} bytes", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("0 MiB", problem.Detail, StringComparison.Ordinal);
        Assert.Equal("body", Assert.Single(problem.Errors).Field);
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
        Assert.Equal(0m, await CountAsync());
    }

    [Fact]
    public async Task AStreamedBodyOverTheLimitWithNoContentLengthIsRefusedWith413()
    {
        var batch = Batch(2, padding: 1200);
        using var content = new UnknownLengthContent(Encoding.UTF8.GetBytes(ArrayBody(batch)));
        content.Headers.ContentType = new MediaTypeHeaderValue(Batched);

        using var response = await api.PostAsync("/api/v1/events", content);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"{MaxBodyBytes} bytes", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
    }

    [Fact]
    public async Task MoreEventsThanTheBatchLimitIsRefusedWith413NamingTheLimit()
    {
        var batch = Batch(MaxEventsPerBatch + 1);
        var body = ArrayBody(batch);
        Assert.True(Encoding.UTF8.GetByteCount(body) <= MaxBodyBytes, "The test batch must fit the body limit.");

        using var response = await api.PostEventsAsync(Batched, body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"{MaxEventsPerBatch}", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await portal.StoredEventCountAsync(Ids(batch)));
        Assert.Equal(0m, await CountAsync());
    }
}
