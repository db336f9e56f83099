using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.CostFixtures;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// The events behind a meter's amount: exactly the customer's events the meter counted in the range (not another type's,
/// not those missing the property, not another customer's), newest first, of one group when asked, and the pages of the
/// cursor together hold each of them once.
/// </summary>
[Collection(MeteringApiCollection.Name)]
public sealed class CountedEventsTests(MeteringPortal portal)
{
    private static readonly DateTime Start = Utc(2026, 4, 6, 10);

    [Fact]
    public async Task ThePagesHoldEveryCountedEventOnceNewestFirstAndNothingElse()
    {
        var (customerId, meter, counted) = await ScenarioAsync();

        var seen = new List<CountedEvent>();
        EventCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(customerId, meter, null, Start, Start.AddHours(1), cursor, 3);
            Assert.InRange(page!.Events.Count, 1, 3);
            seen.AddRange(page.Events);
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(counted.OrderByDescending(c => c.Time).Select(c => c.Id), seen.Select(e => e.EventId));
        Assert.Equal(counted.OrderByDescending(c => c.Time).Select(c => (decimal?)c.Value), seen.Select(e => e.Value));
    }

    [Fact]
    public async Task OneGroupAndOneRangeNarrowTheEvents()
    {
        var (customerId, meter, counted) = await ScenarioAsync();
        const string Large = """{"model":"large"}""";

        var large = await PageAsync(customerId, meter, Large, Start, Start.AddHours(1), null, 50);
        // The range starts after the first two minutes: two events fewer.
        var later = await PageAsync(customerId, meter, null, Start.AddMinutes(2), Start.AddHours(1), null, 50);

        Assert.Equal(counted.Where(c => c.Model == "large").OrderByDescending(c => c.Time).Select(c => c.Id), large!.Events.Select(e => e.EventId));
        Assert.All(large.Events, e => Assert.Equal(Large, e.GroupKey));
        Assert.Null(large.Next);
        Assert.Equal(counted.Count - 2, later!.Events.Count);
        Assert.Null(await PageAsync(customerId, "no_such_meter", null, Start, Start.AddHours(1), null, 50));
    }

    private Task<CountedEventsPage?> PageAsync(int customerId, string meter, string? group, DateTime from, DateTime to, EventCursor? before, int size) =>
        portal.WithServicesAsync(services => services.GetRequiredService<CountedEventsQuery>().PageAsync(customerId, meter, group, from, to, before, size));

    /// <summary>
    /// A customer with seven counted token events a minute apart (four "large", three "small"), one of another type and one
    /// without tokens in between; another customer with events of the same type and time.
    /// </summary>
    private async Task<(int CustomerId, string Meter, List<(string Id, DateTime Time, string Model, decimal Value)> Counted)> ScenarioAsync()
    {
        using var api = await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("events");
        var other = await portal.CreateCustomerAsync("others");
        var meter = Unique.MeterCode("tokens");
        var type = Unique.EventType("explain.tokens");
        await api.CreateMeterAsync(Meter(meter, type, "sum", property: "tokens", groupBy: ["model"]));
        var counted = new List<(string Id, DateTime Time, string Model, decimal Value)>();
        var events = new List<JsonNode>();
        for (var i = 0; i < 7; i++)
        {
            var (id, time, model, value) = (Unique.Name("tok"), Start.AddMinutes(i), i < 4 ? "large" : "small", 100m + i);
            counted.Add((id, time, model, value));
            events.Add(Event(id, type, customer, time, new { tokens = value, model }));
            events.Add(Event(Unique.Name("theirs"), type, other, time, new { tokens = 5, model }));
        }

        events.Add(Event(Unique.Name("other-type"), Unique.EventType("explain.other"), customer, Start.AddMinutes(3), new { tokens = 1, model = "large" }));
        events.Add(Event(Unique.Name("no-tokens"), type, customer, Start.AddMinutes(5), new { model = "large" }));
        await api.IngestBatchAsync(events);
        return (await portal.CustomerIdAsync(customer), meter, counted);
    }
}
