using System.Text.Json.Nodes;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>Events are deduplicated on (source, id) forever: a replay is acknowledged, never counted twice.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class ExactlyOnceTests(MeteringPortal portal) : IAsyncLifetime
{
    private static readonly DateTimeOffset Hour = new(2026, 2, 11, 9, 0, 0, TimeSpan.Zero);

    private readonly string eventType = Unique.EventType("once.call");
    private readonly string countMeter = Unique.MeterCode("calls");
    private readonly string sumMeter = Unique.MeterCode("units");
    private HttpClient api = null!;
    private string customer = "";

    public async Task InitializeAsync()
    {
        api = await portal.ApiClientAsync();
        customer = await portal.CreateCustomerAsync("once");
        await api.CreateMeterAsync(Meter(countMeter, eventType, "count"));
        await api.CreateMeterAsync(Meter(sumMeter, eventType, "sum", "units"));
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private JsonObject Call(string id, int minute, int units = 1, string source = TestSource) =>
        Event(id, eventType, customer, Hour.AddMinutes(minute), new { units }, source);

    private Task<Usage> UsageAsync() => api.UsageAsync(customer, Hour, Hour.AddHours(1));

    [Fact]
    public async Task AReplayedBatchIsAcknowledgedAsDuplicatesAndCountedOnce()
    {
        var batch = Enumerable.Range(0, 5).Select(i => Call(Unique.Name("replay"), i, units: 10)).ToList();

        Assert.Equal(new IngestAnswer(5, 0), await api.IngestBatchAsync(batch));
        Assert.Equal(new IngestAnswer(0, 5), await api.IngestBatchAsync(batch));

        var usage = await UsageAsync();
        Assert.Equal(5m, usage.Quantity(countMeter));
        Assert.Equal(50m, usage.Quantity(sumMeter));
        Assert.Equal(5, await portal.StoredEventCountAsync(batch.Select(e => (string)e["id"]!).ToList()));
    }

    [Fact]
    public async Task AReplayedEventIsADuplicateEvenWhenItsContentChanged()
    {
        var id = Unique.Name("changed");
        Assert.Equal(new IngestAnswer(1, 0), await api.IngestBatchAsync([Call(id, 1, units: 3)]));

        // A retry that, by a sender's bug, carries other data is still the same event: the first one stands.
        Assert.Equal(new IngestAnswer(0, 1), await api.IngestBatchAsync([Call(id, 2, units: 1000)]));

        var usage = await UsageAsync();
        Assert.Equal(1m, usage.Quantity(countMeter));
        Assert.Equal(3m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task ABatchMixingReplayedAndNewEventsCountsOnlyTheNewOnes()
    {
        var old = Enumerable.Range(0, 3).Select(i => Call(Unique.Name("old"), i)).ToList();
        await api.IngestBatchAsync(old);
        var fresh = Enumerable.Range(0, 2).Select(i => Call(Unique.Name("new"), 10 + i)).ToList();

        var answer = await api.IngestBatchAsync([old[2], fresh[0], old[0], fresh[1]]);

        Assert.Equal(new IngestAnswer(2, 2), answer);
        Assert.Equal(5m, (await UsageAsync()).Quantity(countMeter));
    }

    [Fact]
    public async Task DuplicatesInsideOneBatchCountOnce()
    {
        var a = Call(Unique.Name("a"), 1, units: 1);
        var b = Call(Unique.Name("b"), 2, units: 20);
        var c = Call(Unique.Name("c"), 3, units: 300);

        var answer = await api.IngestBatchAsync([a, b, a, c, b, a]);

        Assert.Equal(new IngestAnswer(3, 3), answer);
        var usage = await UsageAsync();
        Assert.Equal(3m, usage.Quantity(countMeter));
        Assert.Equal(321m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task TheSameIdFromTwoSourcesIsTwoEvents()
    {
        var id = Unique.Name("shared-id");

        var answer = await api.IngestBatchAsync([Call(id, 1, units: 2, source: "backend/eu"), Call(id, 2, units: 5, source: "backend/us")]);
        var replay = await api.IngestBatchAsync([Call(id, 1, units: 2, source: "backend/us")]);

        Assert.Equal(new IngestAnswer(2, 0), answer);
        Assert.Equal(new IngestAnswer(0, 1), replay);
        var usage = await UsageAsync();
        Assert.Equal(2m, usage.Quantity(countMeter));
        Assert.Equal(7m, usage.Quantity(sumMeter));
    }

    [Fact]
    public async Task ConcurrentReplaysOfOneBatchCountItOnce()
    {
        var batch = Enumerable.Range(0, 50).Select(i => Call(Unique.Name("race"), i % 60, units: 2)).ToList();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.IngestBatchAsync(batch)));

        Assert.Equal(50, answers.Sum(a => a.Accepted));
        Assert.All(answers, a => Assert.Equal(50, a.Accepted + a.Duplicates));
        var usage = await UsageAsync();
        Assert.Equal(50m, usage.Quantity(countMeter));
        Assert.Equal(100m, usage.Quantity(sumMeter));
    }
}
