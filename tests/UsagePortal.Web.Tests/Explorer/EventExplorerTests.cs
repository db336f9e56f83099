using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Events;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Explorer;

/// <summary>The admin's event explorer: finding events, and each meter's verdict on one, with why it did not count it.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class EventExplorerTests(MeteringPortal portal)
{
    private Task<EventPage> SearchAsync(EventSearch search) => portal.WithServicesAsync(services => services.GetRequiredService<EventExplorer>().SearchAsync(search));

    private async Task<EventExplanation> ExplainAsync(string eventId)
    {
        var id = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().UsageEvents.Where(e => e.EventId == eventId).Select(e => e.Id).SingleAsync());
        return (await portal.WithServicesAsync(services => services.GetRequiredService<EventExplorer>().ExplainAsync(id)))!;
    }

    [Fact]
    public async Task EachMeterSaysWhetherItCountedAnEventAndWhyNot()
    {
        using var api = await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("explore");
        var (type, other) = (Unique.EventType("explore.call"), Unique.EventType("explore.other"));
        var tokens = Unique.MeterCode("tokens");
        var euCalls = Unique.MeterCode("eu_calls");
        var users = Unique.MeterCode("users");
        var elsewhere = Unique.MeterCode("elsewhere");
        await api.CreateMeterAsync(Meter(tokens, type, "sum", property: "tokens", groupBy: ["model"]));
        await api.CreateMeterAsync(Meter(euCalls, type, "count", filters: new() { ["region"] = ["eu"] }));
        await api.CreateMeterAsync(Meter(elsewhere, other, "count"));
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var (counted, missing) = (Unique.Name("evt"), Unique.Name("evt"));
        await api.IngestBatchAsync([
            Event(counted, type, customer, at, new { tokens = 12.5, model = "large", region = "us", user = "ann" }),
            Event(missing, type, customer, at, new { model = "small", region = "eu" }),
        ]);
        // A meter made after the events arrived never counted them: its version was not in force when they came.
        await api.CreateMeterAsync(Meter(users, type, "unique_count", property: "user"));

        var first = await ExplainAsync(counted);

        Assert.Equal((customer, type), (first.Event.Customer, first.Event.Type));
        Assert.Contains("\"tokens\"", first.Data, StringComparison.Ordinal);
        var tokensVerdict = Assert.Single(first.Meters, m => m.Code == tokens);
        Assert.Equal((true, "12.5", "model=large"), (tokensVerdict.Counted, tokensVerdict.Value, tokensVerdict.Group));
        var eu = Assert.Single(first.Meters, m => m.Code == euCalls);
        Assert.False(eu.Counted);
        Assert.Equal("A filter did not match: the meter counts only events with region in (eu).", eu.Reason);
        var late = Assert.Single(first.Meters, m => m.Code == users);
        Assert.False(late.Counted);
        Assert.StartsWith("Meter version not yet in force:", late.Reason, StringComparison.Ordinal);
        var away = Assert.Single(first.Meters, m => m.Code == elsewhere);
        Assert.Equal((false, false), (away.Counted, away.ReadsThisType));
        Assert.Equal($"Type filtered out: the meter reads '{other}' events, this one is '{type}'.", away.Reason);
        // Counted first, then this type's other meters, then the rest.
        Assert.Equal(tokens, first.Meters[0].Code);
        var order = first.Meters.Select(m => m.Code).ToList();
        Assert.True(order.IndexOf(euCalls) < order.IndexOf(elsewhere) && order.IndexOf(users) < order.IndexOf(elsewhere), string.Join(", ", order));

        var second = await ExplainAsync(missing);
        var noTokens = Assert.Single(second.Meters, m => m.Code == tokens);
        Assert.Equal("Property missing: the meter reads 'tokens', which this event does not have (or has as null).", noTokens.Reason);
        var euCounted = Assert.Single(second.Meters, m => m.Code == euCalls);
        Assert.Equal((true, "1"), (euCounted.Counted, euCounted.Value));
    }

    [Fact]
    public async Task EventsAreFoundByCustomerTypeSourceIdAndTimeNewestFirstAndPaged()
    {
        using var api = await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("find");
        var type = Unique.EventType("find.call");
        var start = new DateTimeOffset(2026, 10, 5, 9, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, EventSearch.PageSize + 5).Select(_ => Unique.Name("evt")).ToList();
        await api.IngestBatchAsync(ids.Select((id, i) => (System.Text.Json.Nodes.JsonNode)Event(id, type, customer, start.AddMinutes(i), new { n = i })));

        var first = await SearchAsync(new EventSearch(Customer: customer, Type: type));
        Assert.Equal(EventSearch.PageSize, first.Items.Count);
        Assert.Equal(ids[^1], first.Items[0].EventId);
        Assert.NotNull(first.NextBefore);
        var rest = await SearchAsync(new EventSearch(Customer: customer, Type: type) { Before = first.NextBefore });
        Assert.Equal(ids.Take(5).Reverse(), rest.Items.Select(r => r.EventId));
        Assert.Null(rest.NextBefore);

        var one = await SearchAsync(new EventSearch(EventId: ids[7], Source: TestSource));
        Assert.Equal(ids[7], Assert.Single(one.Items).EventId);
        var window = await SearchAsync(new EventSearch(Customer: customer, From: start.AddMinutes(3).UtcDateTime, To: start.AddMinutes(6).UtcDateTime));
        Assert.Equal([ids[5], ids[4], ids[3]], window.Items.Select(r => r.EventId));

        var unknown = await SearchAsync(new EventSearch(Customer: "nobody-" + Guid.NewGuid().ToString("N")));
        Assert.Empty(unknown.Items);
        Assert.StartsWith("No customer has the externalId", unknown.Problem, StringComparison.Ordinal);
        Assert.Equal("'To' must be after 'From'.", (await SearchAsync(new EventSearch(From: start.UtcDateTime, To: start.UtcDateTime))).Problem);
    }
}
