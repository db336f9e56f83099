using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Metering;

namespace UsagePortal.Web.ComponentTests.Portal;

/// <summary>Usage sent through the same ingestion path as the events API (which also tells the open dashboards).</summary>
public static class UsageEvents
{
    /// <summary>Ingests <paramref name="count"/> events of <paramref name="type"/> for <paramref name="externalId"/> at <paramref name="time"/>.</summary>
    public static Task IngestAsync(this PortalFactory host, string externalId, string type, object data, DateTimeOffset time, int count = 1) =>
        host.WithServicesAsync(async services =>
        {
            var ingestion = services.GetRequiredService<IngestionService>();
            var json = JsonSerializer.Serialize(data);
            var events = Enumerable.Range(0, count)
                .Select(i => IncomingEvent.Create(Guid.NewGuid().ToString("N"), "tests/components", type, externalId, time.AddSeconds(i), json))
                .ToList();
            var (customers, unknown) = await ingestion.ResolveCustomersAsync(events, CancellationToken.None);
            Assert.Empty(unknown);
            Assert.Empty(await ingestion.CheckValuesAsync(events, CancellationToken.None));
            var result = await ingestion.IngestAsync(events, customers, CancellationToken.None);
            Assert.Equal(count, result.Accepted);
        });

    /// <summary>Demo <c>api.request</c> events (counted by the <c>api_calls</c> meter) for the demo customer, now.</summary>
    public static Task IngestApiCallsAsync(this PortalFactory host, string externalId, int count = 1) =>
        host.IngestAsync(externalId, "api.request", new { region = "eu-west", user_id = "u-components" }, DateTimeOffset.UtcNow.AddSeconds(-count), count);
}
