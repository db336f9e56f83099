using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using UsagePortal.Benchmarks;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Testing;

// Measures the quality bars of shared/PRODUCT.md against the real app over real HTTP, on SQLite and PostgreSQL:
// ingestion events/s in batches of 1,000 beside a raw bulk insert of the same rows into the same database,
// the usage query's p50/p99 at each scale of stored events, and the server's resident memory; then the invoice run
// (InvoiceRunBenchmark.cs): N customers' last month closed, rated and finalized in one sweep.
if (args is [CircuitClients.Argument, var circuitAddress, var circuitCount])
{
    // The open-dashboards benchmark's clients, in a process of their own (DashboardsBenchmark starts it).
    return await CircuitClients.RunAsync(new Uri(circuitAddress), int.Parse(circuitCount, CultureInfo.InvariantCulture));
}

if (args is ["--reads-against", var readsAddress, ..])
{
    // Issue 11's two reads only, against an app already running on a kept database (see --keep): for profiling.
    using var readsHttp = new HttpClient { BaseAddress = new Uri(readsAddress) };
    readsHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
    var (readE50, readE99) = await PortalReads.EntitlementAsync(readsHttp, 100, 500);
    var (readD50, readD99) = await PortalReads.DashboardRenderAsync(readsHttp.BaseAddress, 250);
    Console.WriteLine($"entitlement: p50 {readE50:F2} ms, p99 {readE99:F2} ms; dashboard first render: p50 {readD50:F1} ms, p99 {readD99:F1} ms");
    return 0;
}

var settings = BenchmarkSettings.Parse(args);
if (settings is null)
{
    Console.WriteLine("""
        dotnet run -c Release --project tests/UsagePortal.Benchmarks -- [options]
          --providers sqlite,postgres   which databases (PostgreSQL: USAGEPORTAL_TEST_POSTGRES, as .ci/test-all sets it)
          --ingest 200000               events sent in batches of 1,000 for the ingestion figure
          --scales 1000000,10000000     stored-event counts at which the usage query is timed
          --customers 100  --workers 4  --queries 500
          --invoices 10000              customers (one due period each) for the invoice run
          --dashboards 200  --rounds 5  open dashboards and events sent to them
          --client light|chromium       who opens the dashboards: Blazor's own conversation without a browser (light, the default),
                                        or tabs of Debian's Chromium (USAGEPORTAL_CHROMIUM)
          --only ingestion|invoices|dashboards|admin   one benchmark only: ingestion = ingestion, usage query and memory over HTTP;
                                        admin = the admin's customer and invoice lists with 10,000 customers and 100,000 invoices
          --answers FILE                appends each timed usage answer (start as Unix seconds, milliseconds taken, database,
                                        stored events) for lining the slow ones up with a system-wide profile (README)
          --keep                        leaves the ingestion benchmark's database behind and prints its connection string, for
                                        profiling the app against it (start src/UsagePortal.Web's build with that database)
          --reads-against URL           (alone) times only the entitlement answer and the dashboard's first render against the
                                        app at URL, started on a kept database
        """);
    return 0;
}

Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024 / 1024 / 1024} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
var rows = new List<string>();
foreach (var provider in settings.Providers)
{
    if (settings.Runs("ingestion"))
    {
        rows.AddRange(await RunAsync(provider, settings));
    }

    if (settings.Runs("invoices"))
    {
        rows.AddRange(await InvoiceRunBenchmark.RunAsync(provider, settings.Invoices, settings.Workers));
    }

    if (settings.Runs("dashboards"))
    {
        rows.AddRange(await DashboardsBenchmark.RunAsync(provider, settings.Dashboards, settings.DashboardRounds, settings.DashboardClient));
    }

    if (settings.Runs("admin"))
    {
        rows.AddRange(await AdminListsBenchmark.RunAsync(provider, customers: 10_000, invoicesPerCustomer: 10, renders: 200));
    }
}

Console.WriteLine();
Console.WriteLine("| database | measure | result | bar | met |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
rows.ForEach(Console.WriteLine);
Console.WriteLine();
// One line per bar: the figure, the bar, met or not.
foreach (var row in rows)
{
    var cells = row.Trim('|').Split('|').Select(c => c.Trim().Replace("**", "", StringComparison.Ordinal)).ToArray();
    Console.WriteLine($"{cells[0]}: {cells[1]}: {cells[2]} (bar {cells[3]}): {cells[4]}");
}

return 0;

static async Task<List<string>> RunAsync(DatabaseProvider provider, BenchmarkSettings settings)
{
    var results = new List<string>();
    var name = provider == DatabaseProvider.Sqlite ? "SQLite" : "PostgreSQL";
    Console.WriteLine($"== {name}");
    await using var database = TestDatabase.Create(provider);
    if (settings.Keep)
    {
        Console.WriteLine($"  kept after the run: {database.Keep()}");
    }

    await using var server = await ServerProcess.StartAsync(database, "Release");
    await CreateCustomersAsync(database, settings.Customers);

    var now = DateTime.UtcNow;
    // The customers' current period started 27 days ago (CreateCustomersAsync): the usage answer reads 27 days of rollups
    // whatever the date of the run, near the worst case of a monthly period.
    var from = PeriodStart(now);
    // Live traffic carries times from the last few minutes; the history loaded for the query figures spans the month.
    var live = new EventGenerator("live-", settings.Customers, now.AddMinutes(-10), now.AddMinutes(-1), seed: 42);
    var generator = new EventGenerator("history-", settings.Customers, from, now.AddMinutes(-1), seed: 43);
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Workers * 2 }) { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(5) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);

    // Ingestion through the API, batches of 1,000.
    var batches = Enumerable.Range(0, settings.Ingest / 1000).Select(_ => live.Batch(1000)).ToList();
    var ingest = await SendAsync(http, batches.Select(b => b.Body).ToList(), settings.Workers);
    var apiRate = settings.Ingest / ingest.TotalSeconds;
    Console.WriteLine($"  API ingestion: {apiRate:N0} events/s ({settings.Ingest:N0} events, {settings.Workers} clients)");

    // The same rows, inserted raw into a table of the same shape in the same database.
    var raw = await RawInsertAsync(database, batches.Select(b => b.Rows).ToList(), settings.Workers);
    var rawRate = settings.Ingest / raw.TotalSeconds;
    Console.WriteLine($"  raw bulk insert: {rawRate:N0} rows/s");
    var bar = provider == DatabaseProvider.Sqlite ? 25_000 : 50_000;
    results.Add($"| {name} | ingestion, POST /api/v1/events, batches of 1,000, dedup on, durable | **{apiRate:N0} events/s** | ≥ {bar:N0}/s | {Met(apiRate >= bar)} |");
    results.Add($"| {name} | raw bulk insert of the same rows ({(provider == DatabaseProvider.Sqlite ? "prepared INSERT, 1,000 per transaction" : "binary COPY, 1,000 per transaction")}) | {rawRate:N0} rows/s; API = **{apiRate / rawRate:P0}** of it | ≥ 50 % | {Met(apiRate / rawRate >= 0.5)} |");

    foreach (var scale in settings.Scales)
    {
        var stored = await CountEventsAsync(database);
        var loadTimer = Stopwatch.StartNew();
        while (stored < scale)
        {
            var count = (int)Math.Min(200_000, scale - stored);
            var load = Enumerable.Range(0, Math.Max(1, count / 10_000)).Select(_ => generator.Batch(Math.Min(10_000, count)).Body).ToList();
            await SendAsync(http, load, settings.Workers);
            stored = await CountEventsAsync(database);
            Console.Write($"\r  loading: {stored:N0} / {scale:N0} events ({stored / Math.Max(1, loadTimer.Elapsed.TotalSeconds):N0}/s)   ");
        }

        Console.WriteLine();
        var settled = await SettleAsync(database);
        Console.WriteLine($"  settled in {settled.TotalSeconds:F1} s (VACUUM ANALYZE and CHECKPOINT on PostgreSQL, a WAL checkpoint on SQLite)");
        var (p50, p99) = await QueryLatencyAsync(http, settings, $"{name} {stored}");
        var memory = server.ResidentMegabytes;
        Console.WriteLine($"  usage query at {stored:N0} events: p50 {p50:F1} ms, p99 {p99:F1} ms; server memory {memory:N0} MiB");
        results.Add($"| {name} | current usage and cost for one customer, {stored / 1_000_000.0:0.#}M events stored ({settings.Customers} customers) | p50 {p50:F1} ms, **p99 {p99:F1} ms** | p99 ≤ 20 ms | {Met(p99 <= 20)} |");
        // The bar is in megabytes (10^6 bytes); the figure in MiB (2^20 bytes).
        results.Add($"| {name} | server resident memory, {stored / 1_000_000.0:0.#}M events stored | **{memory:N0} MiB** ({memory * 1.048576:N0} MB) | ≤ 512 MB | {Met(memory * 1.048576 <= 512)} |");

        // Issue 11's reads at the same scale: the entitlement answer and the dashboard's first server render.
        await PortalReads.PrepareAsync(() => Context(database));
        var (e50, e99) = await PortalReads.EntitlementAsync(http, settings.Customers, settings.Queries);
        var (d50, d99) = await PortalReads.DashboardRenderAsync(server.Address, Math.Max(100, settings.Queries / 2));
        Console.WriteLine($"  entitlement: p50 {e50:F2} ms, p99 {e99:F2} ms; dashboard first render: p50 {d50:F1} ms, p99 {d99:F1} ms");
        results.Add($"| {name} | entitlement answer, GET /api/v1/customers/{{externalId}}/entitlement, {stored / 1_000_000.0:0.#}M events stored | p50 {e50:F2} ms, **p99 {e99:F2} ms** | p99 ≤ 5 ms | {Met(e99 <= 5)} |");
        results.Add($"| {name} | dashboard's first server render, GET /app signed in (figures of a customer with {stored / settings.Customers:N0} events), {stored / 1_000_000.0:0.#}M events stored | p50 {d50:F1} ms, **p99 {d99:F1} ms** | p99 ≤ 100 ms | {Met(d99 <= 100)} |");
    }

    return results;
}

// The database at rest after the load: the maintenance a bulk load leaves behind (PostgreSQL's autovacuum of the new rows
// and the checkpoint of their pages, SQLite's WAL checkpoint) done now rather than during the timed queries, as any
// database benchmark does; on this 2-core machine that maintenance takes the CPU the answers need (the README gives the
// figure measured during it).
static async Task<TimeSpan> SettleAsync(TestDatabase database)
{
    var timer = Stopwatch.StartNew();
    if (database.Provider == DatabaseProvider.Postgres)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        foreach (var statement in new[] { "VACUUM (ANALYZE)", "CHECKPOINT" })
        {
            await using var command = new NpgsqlCommand(statement, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
    }
    else
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    return timer.Elapsed;
}

static string Met(bool met) => met ? "met" : "not met";

static async Task<TimeSpan> SendAsync(HttpClient http, IReadOnlyList<byte[]> bodies, int workers)
{
    var next = -1;
    var timer = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
    {
        int index;
        while ((index = Interlocked.Increment(ref next)) < bodies.Count)
        {
            using var content = new ByteArrayContent(bodies[index]);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("api/v1/events", content);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
    }));
    return timer.Elapsed;
}

static async Task<(double P50, double P99)> QueryLatencyAsync(HttpClient http, BenchmarkSettings settings, string label)
{
    var random = new Random(7);
    for (var i = 0; i < 50; i++)
    {
        (await http.GetAsync($"api/v1/customers/{EventGenerator.CustomerId(random.Next(settings.Customers))}/usage")).EnsureSuccessStatusCode();
    }

    var timings = new List<double>(settings.Queries);
    var answers = new StringBuilder();
    for (var i = 0; i < settings.Queries; i++)
    {
        var started = DateTimeOffset.UtcNow;
        var timer = Stopwatch.StartNew();
        using var response = await http.GetAsync($"api/v1/customers/{EventGenerator.CustomerId(random.Next(settings.Customers))}/usage");
        await response.Content.ReadAsByteArrayAsync();
        timings.Add(timer.Elapsed.TotalMilliseconds);
        answers.Append(CultureInfo.InvariantCulture, $"{started.ToUnixTimeMilliseconds() / 1000.0:F3} {timings[^1]:F2} {label}\n");
        response.EnsureSuccessStatusCode();
    }

    if (settings.AnswersLog is { } path)
    {
        await File.AppendAllTextAsync(path, answers.ToString());
    }

    timings.Sort();
    Console.WriteLine($"  usage query: p90 {timings[(int)(timings.Count * 0.9)]:F1} ms, p95 {timings[(int)(timings.Count * 0.95)]:F1} ms, max {timings[^1]:F1} ms");
    return (timings[(int)(timings.Count * 0.50)], timings[Math.Min(timings.Count - 1, (int)Math.Ceiling(timings.Count * 0.99) - 1)]);
}

// Each customer is on the demo's Growth plan (seeded by the server: graduated per region, package, volume, and a
// unique count with a free allowance), billed monthly from its anniversary 27 days ago, so that the usage answer timed
// below carries what PRODUCT.md's bar names, "usage and cost": amounts rated through the plan and the period's
// projection, over a period 27 days in (the answer reads every hour of it), on any date.
static async Task CreateCustomersAsync(TestDatabase database, int count)
{
    await using var db = Context(database);
    var growth = await db.PlanVersions.Where(v => v.Plan!.Code == "growth").OrderByDescending(v => v.Version).FirstAsync();
    var now = DateTime.UtcNow;
    var periodStart = PeriodStart(now);
    for (var i = 0; i < count; i++)
    {
        var customer = new Customer { ExternalId = EventGenerator.CustomerId(i), Name = $"Bench {i}", Email = $"bench{i}@bench.example", Currency = "USD", TimeZone = "UTC", CreatedAt = now };
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        var subscription = new Subscription { CustomerId = customer.Id, BillingAnchor = "anniversary", TimeZone = "UTC", StartsAt = periodStart, CreatedAt = now, CreatedBy = "benchmark" };
        subscription.Phases.Add(new SubscriptionPhase { PlanVersionId = growth.Id, StartsAt = periodStart });
        SubscriptionSchedule.ScheduleFrom(subscription, periodStart);
        db.Subscriptions.Add(subscription);
    }

    await db.SaveChangesAsync();
}

// 27 days before now, on the hour: every month is longer, so the period that started then is still the current one.
static DateTime PeriodStart(DateTime now) => new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddDays(-27);

static async Task<long> CountEventsAsync(TestDatabase database)
{
    await using var db = Context(database);
    return await db.UsageEvents.LongCountAsync();
}

static UsagePortalDbContext Context(TestDatabase database)
{
    var options = new DbContextOptionsBuilder<UsagePortalDbContext>();
    DataExtensions.Configure(options, database.Provider, database.ConnectionString);
    return new UsagePortalDbContext(options.Options);
}

static async Task<TimeSpan> RawInsertAsync(TestDatabase database, IReadOnlyList<List<RawRow>> batches, int workers)
{
    Dictionary<string, int> customers;
    await using (var db = Context(database))
    {
        customers = await db.Customers.ToDictionaryAsync(c => c.ExternalId, c => c.Id);
        // The same columns, the same unique index as UsageEvents: only the pipeline around it differs.
        await db.Database.ExecuteSqlRawAsync(database.Provider == DatabaseProvider.Postgres
            ? """CREATE TABLE "BenchRawEvents" (LIKE "UsageEvents" INCLUDING ALL)"""
            : """
              CREATE TABLE "BenchRawEvents" ("Id" INTEGER PRIMARY KEY AUTOINCREMENT, "CustomerId" INTEGER NOT NULL, "Source" TEXT NOT NULL, "EventId" TEXT NOT NULL,
                "Type" TEXT NOT NULL, "Time" TEXT NOT NULL, "ReceivedAt" TEXT NOT NULL, "Data" TEXT NOT NULL);
              CREATE UNIQUE INDEX "IX_BenchRawEvents_Source_EventId" ON "BenchRawEvents" ("Source", "EventId");
              CREATE INDEX "IX_BenchRawEvents_CustomerId_Time" ON "BenchRawEvents" ("CustomerId", "Time");
              """);
    }

    var timer = Stopwatch.StartNew();
    if (database.Provider == DatabaseProvider.Postgres)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            int index;
            while ((index = Interlocked.Increment(ref next)) < batches.Count)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var copy = await connection.BeginBinaryImportAsync("""COPY "BenchRawEvents" ("CustomerId", "Source", "EventId", "Type", "Time", "ReceivedAt", "Data") FROM STDIN (FORMAT BINARY)"""))
                {
                    var received = DateTime.UtcNow;
                    foreach (var row in batches[index])
                    {
                        await copy.StartRowAsync();
                        await copy.WriteAsync(customers[row.Customer], NpgsqlDbType.Integer);
                        await copy.WriteAsync("bench", NpgsqlDbType.Text);
                        await copy.WriteAsync(row.EventId, NpgsqlDbType.Text);
                        await copy.WriteAsync(row.Type, NpgsqlDbType.Text);
                        await copy.WriteAsync(row.Time, NpgsqlDbType.TimestampTz);
                        await copy.WriteAsync(received, NpgsqlDbType.TimestampTz);
                        await copy.WriteAsync(row.Data, NpgsqlDbType.Text);
                    }

                    await copy.CompleteAsync();
                }

                await transaction.CommitAsync();
            }
        }));
        return timer.Elapsed;
    }

    await using var sqlite = new SqliteConnection(database.ConnectionString);
    await sqlite.OpenAsync();
    foreach (var batch in batches)
    {
        await using var transaction = (SqliteTransaction)await sqlite.BeginTransactionAsync();
        await using var command = sqlite.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """INSERT INTO "BenchRawEvents" ("CustomerId", "Source", "EventId", "Type", "Time", "ReceivedAt", "Data") VALUES ($c, 'bench', $e, $t, $tm, $r, $d)""";
        var c = command.Parameters.Add("$c", SqliteType.Integer);
        var e = command.Parameters.Add("$e", SqliteType.Text);
        var t = command.Parameters.Add("$t", SqliteType.Text);
        var tm = command.Parameters.Add("$tm", SqliteType.Text);
        var r = command.Parameters.Add("$r", SqliteType.Text);
        var d = command.Parameters.Add("$d", SqliteType.Text);
        await command.PrepareAsync();
        r.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        foreach (var row in batch)
        {
            c.Value = customers[row.Customer];
            e.Value = row.EventId;
            t.Value = row.Type;
            tm.Value = row.Time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            d.Value = row.Data;
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    return timer.Elapsed;
}

internal sealed record BenchmarkSettings(IReadOnlyList<DatabaseProvider> Providers, int Ingest, IReadOnlyList<long> Scales, int Customers, int Workers, int Queries, int Invoices, int Dashboards, int DashboardRounds, string DashboardClient, string? Only, string? AnswersLog, bool Keep = false)
{
    private static readonly string[] Benchmarks = ["ingestion", "invoices", "dashboards", "admin"];

    /// <summary>Whether the benchmark named <paramref name="benchmark"/> runs (all do unless <c>--only</c> names one).</summary>
    public bool Runs(string benchmark) => Only is null || Only == benchmark;

    public static BenchmarkSettings? Parse(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            return null;
        }

        string Value(string name, string fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        return new BenchmarkSettings(
            Value("--providers", "sqlite,postgres").Split(',').Select(p => Enum.Parse<DatabaseProvider>(p, ignoreCase: true)).ToList(),
            int.Parse(Value("--ingest", "200000"), CultureInfo.InvariantCulture),
            Value("--scales", "1000000,10000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList(),
            int.Parse(Value("--customers", "100"), CultureInfo.InvariantCulture),
            int.Parse(Value("--workers", "4"), CultureInfo.InvariantCulture),
            int.Parse(Value("--queries", "500"), CultureInfo.InvariantCulture),
            int.Parse(Value("--invoices", "10000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--dashboards", "200"), CultureInfo.InvariantCulture),
            int.Parse(Value("--rounds", "5"), CultureInfo.InvariantCulture),
            Value("--client", "light") is "light" or "chromium" ? Value("--client", "light") : throw new ArgumentException("--client takes light or chromium."),
            Value("--only", "") is { Length: > 0 } only
                ? Benchmarks.Contains(only, StringComparer.OrdinalIgnoreCase) ? only.ToLowerInvariant() : throw new ArgumentException($"--only takes {string.Join(" or ", Benchmarks)}, not '{only}'.")
                : null,
            Value("--answers", "") is { Length: > 0 } answers ? Path.GetFullPath(answers) : null,
            args.Contains("--keep"));
    }
}
