using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Domain.Meters;
using UsagePortal.Metering;
using UsagePortal.Web.Api;

namespace UsagePortal.Web.Seeding;

/// <summary>
/// The demo's meters, its operator API key, and two months of realistic usage for the demo customers, sent
/// through the same ingestion code path as the API (validation aside, which the generator cannot fail).
/// Deterministic (a fixed random seed) and idempotent: event ids are derived from the hour, so a second run
/// adds nothing.
/// </summary>
internal sealed class DemoUsageSeeder(
    UsagePortalDbContext db,
    MeterService meters,
    IngestionService ingestion,
    IOptions<DemoOptions> options,
    TimeProvider clock,
    ILogger<DemoUsageSeeder> logger)
{
    public const string Source = "demo/seed";

    public static readonly MeterDefinition[] DemoMeters =
    [
        new() { Code = "api_calls", Name = "API calls", EventType = "api.request", Aggregation = MeterAggregation.Count, GroupBy = ["region"] },
        new() { Code = "llm_tokens", Name = "LLM tokens", EventType = "llm.completion", Aggregation = MeterAggregation.Sum, Property = "tokens", GroupBy = ["model"] },
        new() { Code = "storage_gb", Name = "Storage (GB, peak)", EventType = "storage.snapshot", Aggregation = MeterAggregation.Max, Property = "gb" },
        new() { Code = "active_users", Name = "Active users", EventType = "api.request", Aggregation = MeterAggregation.UniqueCount, Property = "user_id" },
    ];

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        var demo = options.Value;
        foreach (var meter in DemoMeters)
        {
            if (!await db.Meters.AnyAsync(m => m.Code == meter.Code, cancellationToken))
            {
                await meters.SaveAsync(meter, "demo-seed", cancellationToken);
            }
        }

        if (!string.IsNullOrEmpty(demo.OperatorApiKey) && !await db.ApiKeys.AnyAsync(k => k.KeyHash == ApiKeys.Hash(demo.OperatorApiKey), cancellationToken))
        {
            db.ApiKeys.Add(ApiKeys.Stored(demo.OperatorApiKey, "Demo operator backend", "demo-seed", clock.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync(cancellationToken);
        }

        if (await db.UsageEvents.AnyAsync(e => e.Source == Source, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var end = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
        var start = new DateTime(end.Year, end.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-2);
        var total = 0;
        foreach (var (externalId, scale) in new[] { (demo.CustomerExternalId, 1.0), ("globex", 0.4) })
        {
            var customers = new Dictionary<string, int>(StringComparer.Ordinal)
            {
                [externalId] = await db.Customers.Where(c => c.ExternalId == externalId).Select(c => c.Id).SingleAsync(cancellationToken),
            };
            var random = new Random(externalId.GetHashCode(StringComparison.Ordinal) & 0x7fffffff ^ 20261121);
            var batch = new List<IncomingEvent>(1000);
            for (var hour = start; hour < end; hour = hour.AddHours(1))
            {
                batch.AddRange(HourOfUsage(externalId, hour, scale, random));
                if (batch.Count >= 1000)
                {
                    total += (await ingestion.IngestAsync(batch, customers, cancellationToken)).Accepted;
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                total += (await ingestion.IngestAsync(batch, customers, cancellationToken)).Accepted;
            }
        }

        logger.LogInformation("Seeded {Count} demo usage events from {Start:d} to {End:g} UTC.", total, start, end);
    }

    /// <summary>One hour of a plausible SaaS customer: busier on weekdays and in working hours, growing slowly.</summary>
    private static IEnumerable<IncomingEvent> HourOfUsage(string subject, DateTime hour, double scale, Random random)
    {
        var weekday = hour.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        var daytime = hour.Hour is >= 8 and <= 19;
        var growth = 1 + (hour - hour.AddMonths(-2)).TotalDays / 365;
        var requests = (int)(scale * growth * (weekday ? 14 : 5) * (daytime ? 1.6 : 0.5) * (0.7 + 0.6 * random.NextDouble()));
        var stamp = hour.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
        for (var i = 0; i < requests; i++)
        {
            var region = random.NextDouble() < 0.65 ? "eu-west" : "us-east";
            var user = $"user-{random.Next(1, (int)(40 * scale) + 2)}";
            yield return IncomingEvent.Create($"{subject}-{stamp}-req-{i}", Source, "api.request", subject, new DateTimeOffset(hour.AddSeconds(random.Next(3600)), TimeSpan.Zero),
                $$"""{"region":"{{region}}","user_id":"{{user}}","path":"/v1/reports"}""");
        }

        var completions = requests / 4;
        for (var i = 0; i < completions; i++)
        {
            var model = random.NextDouble() < 0.7 ? "small" : "large";
            var tokens = random.Next(200, model == "small" ? 1500 : 6000);
            yield return IncomingEvent.Create($"{subject}-{stamp}-llm-{i}", Source, "llm.completion", subject, new DateTimeOffset(hour.AddSeconds(random.Next(3600)), TimeSpan.Zero),
                $$"""{"model":"{{model}}","tokens":{{tokens}}}""");
        }

        if (hour.Hour == 3)
        {
            var gb = Math.Round(scale * (120 + (hour - new DateTime(hour.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalDays * 0.8 + random.NextDouble() * 6), 2);
            yield return IncomingEvent.Create($"{subject}-{stamp}-storage", Source, "storage.snapshot", subject, new DateTimeOffset(hour, TimeSpan.Zero),
                string.Create(CultureInfo.InvariantCulture, $$"""{"gb":{{gb}}}"""));
        }
    }
}
