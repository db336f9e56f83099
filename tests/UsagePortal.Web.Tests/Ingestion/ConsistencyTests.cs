using System.Text.Json.Nodes;
using UsagePortal.Web.Tests.Api;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>Quantities keep every digit on both databases, and a range answers the same however it is cut into hours.</summary>
public abstract class ConsistencyTests(MeteringPortal portal)
{
    [Fact]
    public async Task SumsKeepEveryDecimalDigitOverWholeHours()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("digits");
        var code = $"m_{Guid.NewGuid():N}"[..20];
        await client.CreateMeterAsync(MeteringApi.Meter(code, $"{code}.used", "sum", "amount"));
        var hour = new DateTimeOffset(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

        await client.IngestBatchAsync(
        [
            // The widest values a meter accepts: 15 integer digits, 12 decimal places (a double would lose the last ones).
            MeteringApi.Event(Unique.Name("a"), $"{code}.used", customer, hour.AddMinutes(5), new JsonObject { ["amount"] = JsonValue.Create(123456789012345.123456789012m) }),
            MeteringApi.Event(Unique.Name("b"), $"{code}.used", customer, hour.AddMinutes(7), new JsonObject { ["amount"] = JsonValue.Create(0.000000000001m) }),
        ]);
        var whole = await client.UsageAsync(customer, hour, hour.AddHours(1));
        var partial = await client.UsageAsync(customer, hour.AddMinutes(1), hour.AddMinutes(59));

        Assert.Equal(123456789012345.123456789013m, whole.Quantity(code));
        Assert.Equal(whole.Quantity(code), partial.Quantity(code));
    }

    [Fact]
    public async Task AMeterCreatedAfterItsEventsArrivedCountsThemNowhere()
    {
        using var client = await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("late-meter");
        var code = $"m_{Guid.NewGuid():N}"[..20];
        var hour = new DateTimeOffset(2026, 10, 6, 10, 0, 0, TimeSpan.Zero);
        await client.IngestBatchAsync([MeteringApi.Event(Unique.Name("early"), $"{code}.used", customer, hour.AddMinutes(30))]);

        await client.CreateMeterAsync(MeteringApi.Meter(code, $"{code}.used", "count"));
        await client.IngestBatchAsync([MeteringApi.Event(Unique.Name("after"), $"{code}.used", customer, hour.AddMinutes(31))]);
        var whole = await client.UsageAsync(customer, hour, hour.AddHours(1));
        var partial = await client.UsageAsync(customer, hour.AddMinutes(1), hour.AddMinutes(59));

        Assert.Equal(1m, whole.Quantity(code));
        Assert.Equal(1m, partial.Quantity(code));
    }
}

[Collection(MeteringApiCollection.Name)]
public sealed class SqliteConsistencyTests(MeteringPortal portal) : ConsistencyTests(portal);

public sealed class PostgresConsistencyTests(PostgresMeteringPortal portal) : ConsistencyTests(portal), IClassFixture<PostgresMeteringPortal>;
