using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Web.Api;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>
/// An acknowledged event is durable: the server runs as a separate process, is killed with SIGKILL right after
/// answering 200, and a new process on the same database counts every acknowledged event (and still knows them
/// as duplicates). A batch in flight at the moment of the kill is there entirely or not at all.
/// </summary>
public abstract class DurabilityTests(DatabaseProvider provider)
{
    private const int BatchSize = 200;
    private const int Batches = 4;
    private static readonly DateTimeOffset Hour = new(2026, 1, 8, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EventsAcknowledgedBeforeAKillNineAreCountedAfterARestart()
    {
        await using var database = TestDatabase.Create(provider);
        var mail = Directory.CreateTempSubdirectory("usageportal-mail-").FullName;
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = provider.ToString(),
            [$"ConnectionStrings:{provider}"] = database.ConnectionString,
            ["Email:PickupDirectory"] = mail,
            ["Demo:Seed"] = "false",
            ["Outbox:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var customer = Unique.Name("durable");
        var eventType = Unique.EventType("durable.call");
        var countMeter = Unique.MeterCode("calls");
        var sumMeter = Unique.MeterCode("units");
        var batches = Enumerable.Range(0, Batches)
            .Select(b => Enumerable.Range(0, BatchSize)
                .Select(i => Event($"durable-{b}-{i}", eventType, customer, Hour.AddSeconds(b * BatchSize + i), new { units = i % 7 }))
                .ToList())
            .ToList();
        var inFlight = Enumerable.Range(0, BatchSize)
            .Select(i => Event($"in-flight-{i}", eventType, customer, Hour.AddMinutes(30).AddSeconds(i), new { units = 1000 }))
            .ToList();

        int acknowledged;
        var inFlightAcknowledged = false;
        await using (var first = await AppProcess.StartAsync(RepositoryRoot.Path, settings))
        {
            await PrepareAsync(database, customer);
            using var api = Client(first);
            await api.CreateMeterAsync(Meter(countMeter, eventType, "count"));
            await api.CreateMeterAsync(Meter(sumMeter, eventType, "sum", "units"));

            acknowledged = 0;
            foreach (var batch in batches)
            {
                acknowledged += (await api.IngestBatchAsync(batch)).Accepted;
            }

            // The last 200 has just arrived: kill at once, with one more batch on its way (its body sent, no answer yet).
            var body = new SentSignal(Body(Batched, ArrayBody(inFlight)));
            var racing = api.PostAsync("/api/v1/events", body);
            await body.Sent;
            first.Kill();
            try
            {
                using var response = await racing;
                inFlightAcknowledged = response.IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Killed before it answered: the batch may or may not have been committed.
            }
        }

        Assert.Equal(Batches * BatchSize, acknowledged);
        await using var second = await AppProcess.StartAsync(RepositoryRoot.Path, settings);
        using var restarted = Client(second);

        var usage = await restarted.UsageAsync(customer, Hour, Hour.AddHours(1));
        var expectedUnits = batches.SelectMany(b => b).Sum(e => (int)e["data"]!["units"]!);
        var count = usage.Quantity(countMeter);
        Assert.True(count == acknowledged || count == acknowledged + BatchSize,
            $"After the restart the count is {count}: every acknowledged event ({acknowledged}) must be there, and the batch in flight entirely or not at all.");
        var inFlightStored = count > acknowledged;
        Assert.True(inFlightStored || !inFlightAcknowledged, "The batch in flight was acknowledged but is not counted.");
        Assert.Equal(expectedUnits + (inFlightStored ? 1000 * BatchSize : 0), usage.Quantity(sumMeter));
        Assert.Equal(new IngestAnswer(0, BatchSize), await restarted.IngestBatchAsync(batches[^1]));
        Assert.Equal(new IngestAnswer(inFlightStored ? 0 : BatchSize, inFlightStored ? BatchSize : 0), await restarted.IngestBatchAsync(inFlight));
        Assert.Equal(acknowledged + BatchSize, (await restarted.UsageAsync(customer, Hour, Hour.AddHours(1))).Quantity(countMeter));
        TryDelete(mail);
    }

    private static HttpClient Client(AppProcess app)
    {
        var client = app.CreateClient(handleCookies: false);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        return client;
    }

    /// <summary>The operator key and the customer, written straight to the database the process migrated.</summary>
    private async Task PrepareAsync(TestDatabase database, string customer)
    {
        var options = new DbContextOptionsBuilder<UsagePortalDbContext>();
        DataExtensions.Configure(options, provider, database.ConnectionString);
        await using var db = new UsagePortalDbContext(options.Options);
        db.ApiKeys.Add(ApiKeys.Stored(DemoSettings.OperatorApiKey, "Demo operator backend", "test", DateTime.UtcNow));
        db.Customers.Add(new Customer { ExternalId = customer, Name = customer, Email = $"{customer}@example.test", CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder.
        }
    }
}

public sealed class SqliteDurabilityTests() : DurabilityTests(DatabaseProvider.Sqlite);

public sealed class PostgresDurabilityTests() : DurabilityTests(DatabaseProvider.Postgres);

/// <summary>A request body that says when it has been handed to the connection, so that a test can act while the request is in flight.</summary>
internal sealed class SentSignal : HttpContent
{
    private readonly HttpContent inner;
    private readonly TaskCompletionSource sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SentSignal(HttpContent inner)
    {
        this.inner = inner;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    public Task Sent => sent.Task;

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await inner.CopyToAsync(stream, context);
        await stream.FlushAsync();
        sent.TrySetResult();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            sent.TrySetResult();
        }

        base.Dispose(disposing);
    }
}
