using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;
using UsagePortal.Testing;
using UsagePortal.Web.Api;

namespace UsagePortal.Benchmarks;

/// <summary>
/// The invoice-run bar of shared/PRODUCT.md: "10,000 customers × 3 metered charges closed and rated in ≤ 60 s".
/// <para>
/// Set-up, per database: a fresh database (the app's own migrations, run by the app at start-up), the real app hosted
/// in this process (<see cref="InvoiceBenchmarkHost"/>: Release build, background invoicer off, no grace period);
/// three meters through <c>POST /api/v1/meters</c> (a count, a sum, a max); one plan version with a graduated, a volume
/// and a package charge plus a flat fee; N customers, each subscribed from the start of last month (calendar, UTC),
/// so exactly one period each is due; and 20–50 events per customer spread over last month, sent through
/// <c>POST /api/v1/events</c> in batches of 1,000 (the customers interleaved as live traffic is), so every customer has
/// hourly rollups for every meter.
/// </para>
/// <para>
/// The measure: ONE invoice run, <see cref="InvoiceRunner.RunOnceAsync"/> called from a DI scope as the background sweep
/// calls it (closing every due period into a draft, then finalizing every draft: lines recomputed, credits applied,
/// gap-free numbers), timed end to end, with the SQL that EF Core sent counted by statement and this process's CPU time
/// beside it (the machine's load average is printed too: on a shared machine it moves the figure). Then it checks:
/// N invoices, all finalized, numbers 1..N without gaps, and every invoice's subtotal, tax and total (and one invoice
/// line by line) against a computation from the generated events that shares no code with the app's pricing.
/// </para>
/// </summary>
internal static class InvoiceRunBenchmark
{
    private const decimal TaxRate = 0.0825m;
    private const long FlatFeeMinorUnits = 1500;
    private const string Source = "bench-invoices";

    /// <summary>The plan's charges in the charge JSON of PRODUCT.md; <see cref="Expected"/> prices the same terms by hand.</summary>
    private const string ChargesJson = """
        [
          { "meter": "bench_requests", "model": "graduated", "properties": { "ranges": [
              { "fromValue": "0", "toValue": "25", "perUnitAmount": "0.045", "flatAmount": "0.50" },
              { "fromValue": "25", "toValue": null, "perUnitAmount": "0.0125", "flatAmount": "0.25" } ] } },
          { "meter": "bench_tokens", "model": "volume", "properties": { "ranges": [
              { "fromValue": "0", "toValue": "20000", "perUnitAmount": "0.0002", "flatAmount": "0" },
              { "fromValue": "20000", "toValue": null, "perUnitAmount": "0.00015", "flatAmount": "1.00" } ] } },
          { "meter": "bench_seats", "model": "package", "properties": { "amount": "4.00", "packageSize": "3", "freeUnits": "2" } }
        ]
        """;

    public static async Task<List<string>> RunAsync(DatabaseProvider provider, int customers, int workers)
    {
        var name = provider == DatabaseProvider.Sqlite ? "SQLite" : "PostgreSQL";
        Console.WriteLine($"== {name}: invoice run, {customers:N0} customers");
        await using var host = new InvoiceBenchmarkHost(provider);
        using var sql = new SqlCounter();

        var now = DateTime.UtcNow;
        var periodEnd = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var periodStart = periodEnd.AddMonths(-1);
        var usage = Usage.Generate(customers, periodStart, periodEnd, seed: 44);

        var setup = Stopwatch.StartNew();
        await host.StoreOperatorKeyAsync();
        using var http = host.CreateClient();
        http.Timeout = TimeSpan.FromMinutes(5);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        await CreateMetersAsync(http);
        var customerIds = await CreateCustomersAsync(host, customers);

        var bodies = usage.Batches(1000, seed: 45);
        var ingest = Stopwatch.StartNew();
        await SendAsync(http, bodies, workers);
        var eventCount = usage.Events.Sum(e => e.Count);
        Console.WriteLine($"  usage loaded through POST /api/v1/events: {eventCount:N0} events for last month ({periodStart:yyyy-MM}), {eventCount / ingest.Elapsed.TotalSeconds:N0} events/s");
        var stored = await host.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().UsageEvents.CountAsync());
        Check(stored == eventCount, $"{stored:N0} events stored, {eventCount:N0} sent");

        await SubscribeAsync(host, customerIds, periodStart);
        Console.WriteLine($"  set-up: {setup.Elapsed.TotalSeconds:N0} s (meters, plan, {customers:N0} customers and subscriptions, usage)");

        // The run.
        sql.Start();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        TimeSpan total;
        InvoiceRunResult result;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var runner = scope.ServiceProvider.GetRequiredService<InvoiceRunner>();
            var timer = Stopwatch.StartNew();
            result = await runner.RunOnceAsync();
            total = timer.Elapsed;
        }

        sql.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"  invoice run: {total.TotalSeconds:N1} s for {result.Closed:N0} periods closed and {result.Finalized:N0} invoices finalized ({customers / total.TotalSeconds:N0} invoices/s)");
        Console.WriteLine($"    {sql.Commands:N0} SQL commands from EF Core ({(double)sql.Commands / customers:N1} per invoice), {sql.Commits:N0} commits ({sql.CommitMilliseconds / 1000:N1} s), {sql.Compilations:N0} LINQ translations");
        Console.WriteLine($"    CPU time of this process (the app and the benchmark) during the run: {cpu.TotalSeconds:N1} s; load average {LoadAverage()}");
        foreach (var (statement, count, milliseconds) in sql.Top(8))
        {
            Console.WriteLine($"    {count,7:N0} × {milliseconds / count,6:N2} ms  {statement}");
        }

        await VerifyAsync(host, usage, customerIds, periodStart, periodEnd, result);
        Console.WriteLine($"  verified: {customers:N0} invoices, all finalized, numbered 1..{customers:N0} without gaps, every total equal to an independent computation");
        return [$"| {name} | invoice run: {customers:N0} customers × 3 metered charges + flat fee, closed, rated and finalized (gap-free numbers), one sweep | **{total.TotalSeconds:N1} s** | ≤ 60 s | {(total.TotalSeconds <= 60 ? "met" : "not met")} |"];
    }

    private static async Task CreateMetersAsync(HttpClient http)
    {
        foreach (var body in new[]
        {
            """{"code":"bench_requests","name":"Requests","eventType":"bench.request","aggregation":"count"}""",
            """{"code":"bench_tokens","name":"Tokens","eventType":"bench.completion","aggregation":"sum","property":"tokens"}""",
            """{"code":"bench_seats","name":"Peak seats","eventType":"bench.seats","aggregation":"max","property":"seats"}""",
        })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("api/v1/meters", content);
            Check(response.IsSuccessStatusCode, $"POST /api/v1/meters answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The customers straight into the database (there is nothing to measure there); answers their ids by index.</summary>
    private static async Task<int[]> CreateCustomersAsync(InvoiceBenchmarkHost host, int count)
    {
        var ids = new int[count];
        for (var first = 0; first < count; first += 1000)
        {
            var from = first;
            await host.WithServicesAsync(async services =>
            {
                var db = services.GetRequiredService<UsagePortalDbContext>();
                var batch = Enumerable.Range(from, Math.Min(1000, count - from)).Select(i => new Customer
                {
                    ExternalId = Usage.CustomerId(i),
                    Name = $"Invoice bench {i}",
                    Email = $"invoice-bench{i}@bench.example",
                    Currency = "USD",
                    TimeZone = "UTC",
                    TaxRate = TaxRate,
                    CreatedAt = DateTime.UtcNow,
                }).ToList();
                db.Customers.AddRange(batch);
                await db.SaveChangesAsync();
                foreach (var (customer, offset) in batch.Select((c, i) => (c, i)))
                {
                    ids[from + offset] = customer.Id;
                }
            });
        }

        return ids;
    }

    /// <summary>One plan version, and every customer subscribed to it from the start of last month (so last month is due).</summary>
    private static async Task SubscribeAsync(InvoiceBenchmarkHost host, int[] customerIds, DateTime startsAt)
    {
        var versionId = await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var version = new PlanVersion
            {
                Plan = new Plan { Code = "bench", CreatedAt = DateTime.UtcNow },
                Version = 1,
                Name = "Bench",
                Currency = "USD",
                FlatFeeMinorUnits = FlatFeeMinorUnits,
                ChargesJson = PlanTerms.WriteCharges(PlanTerms.ParseCharges(ChargesJson)),
                CreatedAt = DateTime.UtcNow,
            };
            db.PlanVersions.Add(version);
            await db.SaveChangesAsync();
            return version.Id;
        });
        foreach (var chunk in customerIds.Chunk(1000))
        {
            await host.WithServicesAsync(async services =>
            {
                var db = services.GetRequiredService<UsagePortalDbContext>();
                foreach (var customerId in chunk)
                {
                    var subscription = new Subscription
                    {
                        CustomerId = customerId,
                        BillingAnchor = "calendar",
                        TimeZone = "UTC",
                        StartsAt = startsAt,
                        CreatedAt = DateTime.UtcNow,
                        Phases = [new SubscriptionPhase { PlanVersionId = versionId, StartsAt = startsAt }],
                    };
                    SubscriptionSchedule.ScheduleFrom(subscription, startsAt);
                    db.Subscriptions.Add(subscription);
                }

                await db.SaveChangesAsync();
            });
        }
    }

    private static async Task SendAsync(HttpClient http, IReadOnlyList<byte[]> bodies, int workers)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bodies.Count)
            {
                using var content = new ByteArrayContent(bodies[index]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("api/v1/events", content);
                Check(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }));
    }

    private static async Task VerifyAsync(InvoiceBenchmarkHost host, Usage usage, int[] customerIds, DateTime periodStart, DateTime periodEnd, InvoiceRunResult result)
    {
        var customers = customerIds.Length;
        Check(result == new InvoiceRunResult(customers, customers), $"the run answered {result}, expected {customers} closed and {customers} finalized");
        await host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var invoices = await db.Invoices.AsNoTracking()
                .Select(i => new { i.Id, i.CustomerId, i.Status, i.Number, i.PeriodStart, i.PeriodEnd, i.Subtotal, i.CreditsApplied, i.Tax, i.Total })
                .ToListAsync();
            Check(invoices.Count == customers, $"{invoices.Count:N0} invoices, expected {customers:N0}");
            Check(invoices.All(i => i.Status == InvoiceStatuses.Finalized), $"{invoices.Count(i => i.Status != InvoiceStatuses.Finalized):N0} invoices are not finalized");
            Check(invoices.All(i => i.PeriodStart == periodStart && i.PeriodEnd == periodEnd), "an invoice covers another period than last month");
            var numbers = invoices.Select(i => i.Number is { } n && n.StartsWith("INV-", StringComparison.Ordinal) ? int.Parse(n[4..], CultureInfo.InvariantCulture) : -1).Order().ToList();
            Check(numbers.SequenceEqual(Enumerable.Range(1, customers)), "invoice numbers are not 1..N without gaps");

            var indexOf = customerIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
            var wrong = 0;
            foreach (var invoice in invoices)
            {
                var expected = Expected(usage.Events[indexOf[invoice.CustomerId]]);
                if ((invoice.Subtotal, invoice.CreditsApplied, invoice.Tax, invoice.Total) != (expected.Subtotal, 0, expected.Tax, expected.Total))
                {
                    if (wrong++ < 5)
                    {
                        Console.WriteLine($"  MISMATCH customer {invoice.CustomerId}: subtotal {invoice.Subtotal} tax {invoice.Tax} total {invoice.Total}; expected {expected.Subtotal} {expected.Tax} {expected.Total}");
                    }
                }
            }

            Check(wrong == 0, $"{wrong:N0} invoice totals differ from the independent computation");

            // One invoice line by line: quantities and rounded amounts.
            var spot = customers / 2;
            var lines = await db.InvoiceLines.AsNoTracking()
                .Where(l => db.Invoices.Any(i => i.Id == l.InvoiceId && i.CustomerId == customerIds[spot]))
                .OrderBy(l => l.Position)
                .Select(l => new { l.Kind, l.MeterCode, l.Quantity, l.Amount })
                .ToListAsync();
            var want = Expected(usage.Events[spot]);
            var got = lines.Select(l => (l.Kind, l.MeterCode, l.Quantity, l.Amount)).ToList();
            Check(got.SequenceEqual(want.Lines), $"customer {spot}'s lines {string.Join("; ", got)} differ from {string.Join("; ", want.Lines)}");
            Console.WriteLine($"  spot check, customer {Usage.CustomerId(spot)}: {string.Join(", ", want.Lines.Select(l => $"{l.Meter ?? l.Kind} {l.Quantity} → {l.Amount / 100m:0.00}"))}; subtotal {want.Subtotal / 100m:0.00}, tax {want.Tax / 100m:0.00}, total {want.Total / 100m:0.00} USD");
        });
    }

    private sealed record ExpectedInvoice(List<(string Kind, string? Meter, decimal Quantity, long Amount)> Lines, long Subtotal, long Tax, long Total);

    /// <summary>
    /// The invoice worked out from the generated events with none of the app's code: the pricing rules of PRODUCT.md
    /// written out for this plan, each line rounded once half away from zero (done here with Math.Round on purpose:
    /// this is the check of Currency's rounding, not a use of it), tax on the subtotal.
    /// </summary>
    private static ExpectedInvoice Expected(CustomerUsage usage)
    {
        static long Cents(decimal amount) => (long)(Math.Round(amount, 2, MidpointRounding.AwayFromZero) * 100);

        // Graduated: 0–25 at 0.045 (+0.50, always reached), above 25 at 0.0125 (+0.25 once reached).
        var r = (decimal)usage.Requests;
        var requests = Math.Min(r, 25) * 0.045m + 0.50m + (r > 25 ? (r - 25) * 0.0125m + 0.25m : 0);
        // Volume: every token at the rate of the range the total falls in.
        var t = (decimal)usage.Tokens;
        var tokens = t <= 20000 ? t * 0.0002m : t * 0.00015m + 1.00m;
        // Package: 4.00 per started 3 seats beyond 2 free.
        var paid = usage.PeakSeats - 2;
        var seats = paid <= 0 ? 0m : Math.Ceiling(paid / 3m) * 4.00m;
        List<(string, string?, decimal, long)> lines =
        [
            ("charge", "bench_requests", r, Cents(requests)),
            ("charge", "bench_tokens", t, Cents(tokens)),
            ("charge", "bench_seats", usage.PeakSeats, Cents(seats)),
            ("flat_fee", null, 1m, FlatFeeMinorUnits),
        ];
        var subtotal = lines.Sum(l => l.Item4);
        var tax = Cents(subtotal / 100m * TaxRate);
        return new ExpectedInvoice(lines, subtotal, tax, subtotal + tax);
    }

    /// <summary>The machine's 1-minute load average (Linux), to tell a busy machine's figures from a quiet one's.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Invoice benchmark check failed: {failure}.");
        }
    }

    /// <summary>What one customer sent over the month, and the aggregates the meters should find.</summary>
    private sealed record CustomerUsage(int Count, int Requests, long Tokens, int PeakSeats, List<string> Json);

    /// <summary>Deterministic usage: 20–50 events per customer over the period, one of each type at least.</summary>
    private sealed record Usage(List<CustomerUsage> Events)
    {
        public static string CustomerId(int index) => $"inv-{index:D5}";

        public static Usage Generate(int customers, DateTime from, DateTime to, int seed)
        {
            var random = new Random(seed);
            var span = (to - from).Ticks;
            var all = new List<CustomerUsage>(customers);
            for (var c = 0; c < customers; c++)
            {
                var subject = CustomerId(c);
                var count = random.Next(20, 51);
                int requests = 0, peak = 0;
                long tokens = 0;
                var json = new List<string>(count);
                for (var k = 0; k < count; k++)
                {
                    var time = new DateTime(from.Ticks + (long)(random.NextDouble() * span), DateTimeKind.Utc);
                    var stamp = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
                    var kind = k < 3 ? k * 4 : random.Next(10);
                    string type, data;
                    if (kind < 4)
                    {
                        requests++;
                        type = "bench.request";
                        data = """{"path":"/v1/items","status":200}""";
                    }
                    else if (kind < 8)
                    {
                        var n = random.Next(100, 4001);
                        tokens += n;
                        type = "bench.completion";
                        data = string.Create(CultureInfo.InvariantCulture, $$"""{"model":"small","tokens":{{n}}}""");
                    }
                    else
                    {
                        var n = random.Next(1, 13);
                        peak = Math.Max(peak, n);
                        type = "bench.seats";
                        data = string.Create(CultureInfo.InvariantCulture, $$"""{"seats":{{n}}}""");
                    }

                    json.Add($$"""{"id":"{{subject}}-{{k}}","source":"{{Source}}","type":"{{type}}","subject":"{{subject}}","time":"{{stamp}}","data":{{data}}}""");
                }

                all.Add(new CustomerUsage(count, requests, tokens, peak, json));
            }

            return new Usage(all);
        }

        /// <summary>Every event, shuffled so that each batch mixes customers as live traffic does, as request bodies.</summary>
        public List<byte[]> Batches(int size, int seed)
        {
            var events = Events.SelectMany(e => e.Json).ToArray();
            new Random(seed).Shuffle(events);
            return [.. events.Chunk(size).Select(chunk => Encoding.UTF8.GetBytes("[" + string.Join(',', chunk) + "]"))];
        }
    }

    /// <summary>Counts the SQL the app sends while started, by statement, from EF Core's diagnostic events.</summary>
    private sealed class SqlCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly IDisposable all;
        private readonly List<IDisposable> subscriptions = [];
        private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> statements = new();
        private volatile bool active;
        private long commands;
        private long commits;
        private long commitTicks;
        private long compilations;

        public SqlCounter() => all = DiagnosticListener.AllListeners.Subscribe(this);

        public long Commands => Interlocked.Read(ref commands);

        public long Commits => Interlocked.Read(ref commits);

        /// <summary>LINQ queries EF Core translated during the run (a query whose shape is cached is translated once).</summary>
        public long Compilations => Interlocked.Read(ref compilations);

        public double CommitMilliseconds => TimeSpan.FromTicks(Interlocked.Read(ref commitTicks)).TotalMilliseconds;

        public void Start() => active = true;

        public void Stop() => active = false;

        /// <summary>The statements that took the most time in all, with their count and total milliseconds.</summary>
        public IEnumerable<(string Statement, long Count, double Milliseconds)> Top(int count) =>
            statements.OrderByDescending(s => s.Value.Milliseconds).Take(count).Select(s => (s.Key, s.Value.Count, s.Value.Milliseconds));

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                lock (subscriptions)
                {
                    subscriptions.Add(value.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (!active)
            {
                return;
            }

            if (value.Value is CommandExecutedEventData executed)
            {
                Interlocked.Increment(ref commands);
                var text = string.Join(' ', executed.Command.CommandText.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
                var key = text.Length > 110 ? text[..110] + "…" : text;
                statements.AddOrUpdate(key, (1, executed.Duration.TotalMilliseconds), (_, s) => (s.Count + 1, s.Milliseconds + executed.Duration.TotalMilliseconds));
            }
            else if (value.Key == CoreEventId.QueryCompilationStarting.Name)
            {
                Interlocked.Increment(ref compilations);
            }
            else if (value.Key == RelationalEventId.TransactionCommitted.Name && value.Value is TransactionEndEventData committed)
            {
                Interlocked.Increment(ref commits);
                Interlocked.Add(ref commitTicks, committed.Duration.Ticks);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            all.Dispose();
            lock (subscriptions)
            {
                subscriptions.ForEach(s => s.Dispose());
            }
        }
    }
}

/// <summary>The real app in this process on a fresh database of its own, with the background invoicer off and no grace period.</summary>
internal sealed class InvoiceBenchmarkHost(DatabaseProvider provider) : PortalFactory(provider)
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Demo:Seed", "false"),
        new("Billing:Enabled", "false"),
        new("Billing:GracePeriod", "00:00:00"),
    ];

    /// <summary>The demo operator key, stored as the demo seed stores it (the demo itself is not seeded).</summary>
    public Task StoreOperatorKeyAsync() =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            db.ApiKeys.Add(ApiKeys.Stored(DemoSettings.OperatorApiKey, "Invoice benchmark", "bench", DateTime.UtcNow));
            await db.SaveChangesAsync();
        });
}
