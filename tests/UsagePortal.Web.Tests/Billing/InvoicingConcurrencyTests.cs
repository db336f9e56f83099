using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Web.Tests.Api;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// Several nodes invoicing one PostgreSQL database at once: two runners in one process, and two separate app processes
/// with the background sweep on. Either way every subscription period is invoiced exactly once, and the invoice numbers
/// run without a gap.
/// </summary>
public sealed class InvoicingConcurrencyTests(PostgresBillingPortal portal) : IClassFixture<PostgresBillingPortal>
{
    private static readonly DateTime Start = new(2026, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Two_runners_at_once_invoice_each_period_once()
    {
        var subscriptions = await SubscribeManyAsync(12);

        var sweeps = await Task.WhenAll(portal.RunInvoicerAsync(), portal.RunInvoicerAsync(), portal.RunInvoicerAsync());

        var expected = DuePeriods() * subscriptions.Count;
        Assert.True(sweeps.Sum(s => s.Closed) >= expected, $"sweeps {string.Join(",", sweeps)} expected {expected}: {await StateAsync(subscriptions)}");
        await AssertEachPeriodInvoicedOnceAsync(subscriptions);
    }

    [Fact]
    public async Task Two_app_processes_with_the_sweep_on_invoice_each_period_once()
    {
        var subscriptions = await SubscribeManyAsync(40);
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = portal.ConnectionString,
            ["Demo:Seed"] = "false",
            ["Outbox:Enabled"] = "false",
            ["Billing:Enabled"] = "true",
            ["Billing:GracePeriod"] = "00:00:00",
            ["Billing:BatchSize"] = "3",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:UsagePortal.Web.Billing"] = "Information",
        };

        var nodes = await AppProcess.StartManyAsync(2, RepositoryRoot.Path, settings);
        try
        {
            var expected = DuePeriods() * subscriptions.Count;
            // Waits for the nodes' sweeps to finish the work (their logs tell why if they never do).
            var guard = System.Diagnostics.Stopwatch.StartNew();
            while (await FinalizedCountAsync(subscriptions) < expected)
            {
                Assert.True(guard.Elapsed < AppProcess.HangGuard, $"The nodes did not invoice every period:\n{nodes[0].Output}\n{nodes[1].Output}");
                await Task.Delay(250);
            }

            await AssertEachPeriodInvoicedOnceAsync(subscriptions);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>Each subscription's invoice count, lease and next period end: what a sweep that stopped early left behind.</summary>
    private Task<string> StateAsync(List<int> subscriptions) => portal.WithServicesAsync(async services =>
    {
        var db = services.GetRequiredService<UsagePortalDbContext>();
        var subs = await db.Subscriptions.AsNoTracking().Where(s => subscriptions.Contains(s.Id)).ToListAsync();
        var counts = await db.Invoices.Where(i => subscriptions.Contains(i.SubscriptionId)).GroupBy(i => i.SubscriptionId).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
        return string.Join("; ", subs.Select(s => $"{s.Id}:{counts.FirstOrDefault(c => c.Key == s.Id)?.N} lease {s.LeasedUntil:O} next {s.NextPeriodEnd:O}"));
    });

    /// <summary>Months from May 2026 that have ended by now.</summary>
    private static int DuePeriods()
    {
        var now = DateTime.UtcNow;
        return (now.Year - Start.Year) * 12 + now.Month - Start.Month;
    }

    private async Task<List<int>> SubscribeManyAsync(int count)
    {
        using var api = await portal.ApiClientAsync();
        var meter = Unique.MeterCode("calls");
        await api.CreateMeterAsync(MeteringApi.Meter(meter, Unique.EventType("pg.call"), "count"));
        var version = await portal.CreatePlanVersionAsync("Concurrent", "USD", 1234, 0, Charges.Standard(meter, "0.01"));
        var subscriptions = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var (customerId, _) = await portal.CreateBillingCustomerAsync();
            subscriptions.Add(await portal.SubscribeAsync(customerId, version, Start));
        }

        return subscriptions;
    }

    private Task<int> FinalizedCountAsync(List<int> subscriptions) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices
            .CountAsync(i => subscriptions.Contains(i.SubscriptionId) && i.Status == InvoiceStatuses.Finalized));

    private async Task AssertEachPeriodInvoicedOnceAsync(List<int> subscriptions)
    {
        var (invoices, allNumbers) = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var mine = await db.Invoices.AsNoTracking().Where(i => subscriptions.Contains(i.SubscriptionId)).ToListAsync();
            var numbers = await db.Invoices.AsNoTracking().Where(i => i.Number != null).Select(i => i.Number!).ToListAsync();
            return (mine, numbers);
        });

        var periods = DuePeriods();
        foreach (var subscription in subscriptions)
        {
            var starts = invoices.Where(i => i.SubscriptionId == subscription).Select(i => i.PeriodStart).Order().ToList();
            Assert.Equal(Enumerable.Range(0, periods).Select(m => Start.AddMonths(m)), starts);
        }

        Assert.All(invoices, i => Assert.Equal((InvoiceStatuses.Finalized, 1234L), (i.Status, i.Total)));
        // Every number the database has handed out, across all tests on this database, runs from 1 without a gap.
        var values = allNumbers.Select(n => int.Parse(n["INV-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, values.Count), values);
    }
}
