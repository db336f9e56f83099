using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>The invoicer on a real SQLite file: closing periods, totals to the cent, plan changes, late usage, credits.</summary>
public sealed class InvoicingTests(BillingPortal portal) : IClassFixture<BillingPortal>
{
    private async Task<(string Meter, string EventType)> CountMeterAsync(HttpClient api)
    {
        var eventType = Unique.EventType("bill.call");
        var meter = Unique.MeterCode("calls");
        await api.CreateMeterAsync(Meter(meter, eventType, "count"));
        return (meter, eventType);
    }

    private static async Task SendAsync(HttpClient api, string eventType, string customer, DateTimeOffset time, int count, string prefix)
    {
        var events = Enumerable.Range(0, count).Select(i => (JsonNode)Event($"{prefix}-{Guid.NewGuid():N}", eventType, customer, time.AddSeconds(i))).ToList();
        var answer = await api.IngestBatchAsync(events);
        Assert.Equal(count, answer.Accepted);
    }

    [Fact]
    public async Task A_closed_month_is_invoiced_with_each_line_rounded_once_tax_and_a_gap_free_number()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync("USD", "UTC", 0.0825m);
        // 0–100 at 0.10, above 100 at 0.0333 (sub-cent unit price), flat fee 10.00.
        var version = await portal.CreatePlanVersionAsync("Starter", "USD", 1000, 0,
            Charges.Graduated(meter, ("0", "100", "0.10", "0"), ("100", null, "0.0333", "0")));
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 10, 12, 0, 0, TimeSpan.Zero), 150, "aug");

        var result = await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 0, 30, 0, TimeSpan.Zero));

        Assert.Equal(new UsagePortal.Domain.Invoicing.InvoiceRunResult(1, 1), result);
        var invoice = Assert.Single(await portal.InvoicesAsync(subscription));
        Assert.Equal(InvoiceStatuses.Finalized, invoice.Status);
        Assert.Matches("^INV-[0-9]{6}$", invoice.Number);
        Assert.Equal(new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc), invoice.PeriodStart);
        Assert.Equal(new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc), invoice.PeriodEnd);
        // 100 × 0.10 + 50 × 0.0333 = 11.665 → 11.67 (half away from zero, once); flat fee 10.00.
        Assert.Collection(invoice.Lines,
            line =>
            {
                Assert.Equal("charge", line.Kind);
                Assert.Equal(150m, line.Quantity);
                Assert.Equal(11.665m, line.ExactAmount);
                Assert.Equal(1167, line.Amount);
                Assert.Contains("\"range\"", line.BreakdownJson, StringComparison.Ordinal);
            },
            line =>
            {
                Assert.Equal("flat_fee", line.Kind);
                Assert.Equal(1000, line.Amount);
            });
        Assert.Equal(2167, invoice.Subtotal);
        Assert.Equal(179, invoice.Tax); // 21.67 × 0.0825 = 1.787775 → 1.79
        Assert.Equal(2346, invoice.Total);
    }

    [Fact]
    public async Task Running_the_invoicer_again_or_twice_at_once_leaves_one_invoice_per_period_and_numbers_without_gaps()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, _) = await CountMeterAsync(api);
        var version = await portal.CreatePlanVersionAsync("Basic", "USD", 500, 0, Charges.Standard(meter, "0.01"));
        var subscriptions = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            var (customerId, _) = await portal.CreateBillingCustomerAsync();
            subscriptions.Add(await portal.SubscribeAsync(customerId, version, new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc)));
        }

        var now = new DateTimeOffset(2026, 9, 15, 0, 0, 0, TimeSpan.Zero);
        var sweeps = await Task.WhenAll(portal.RunInvoicerAsync(now), portal.RunInvoicerAsync(now));
        var again = await portal.RunInvoicerAsync(now);

        Assert.Equal(0, again.Closed);
        Assert.Equal(0, again.Finalized);
        Assert.True(sweeps.Sum(s => s.Closed) >= 18, "June, July and August of six subscriptions were due.");
        var invoices = new List<Invoice>();
        foreach (var subscription in subscriptions)
        {
            var mine = await portal.InvoicesAsync(subscription);
            Assert.Equal(
                [new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc)],
                mine.Select(i => i.PeriodStart));
            Assert.All(mine, i => Assert.Equal(InvoiceStatuses.Finalized, i.Status));
            Assert.All(mine, i => Assert.Equal(500, i.Total));
            invoices.AddRange(mine);
        }

        var numbers = invoices.Select(i => int.Parse(i.Number!["INV-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
        var next = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().DocumentSequences.SingleAsync(s => s.Name == DocumentSequence.Invoices));
        Assert.True(next.LastValue >= numbers[^1]);
    }

    [Fact]
    public async Task A_plan_change_mid_period_rates_usage_before_on_the_old_plan_after_on_the_new_and_prorates_both_fees()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync("USD", "America/New_York", 0m);
        var starter = await portal.CreatePlanVersionAsync("Starter", "USD", 3000, 0, Charges.Standard(meter, "0.01"));
        var pro = await portal.CreatePlanVersionAsync("Pro", "USD", 6000, 0, Charges.Standard(meter, "0.004"));
        // September in New York: 30 days from 04:00 UTC; the upgrade is at local midnight starting the 11th.
        var start = new DateTime(2026, 9, 1, 4, 0, 0, DateTimeKind.Utc);
        var upgrade = new DateTime(2026, 9, 11, 4, 0, 0, DateTimeKind.Utc);
        var subscription = await portal.SubscribeAsync(customerId, starter, start, "America/New_York", "calendar", (pro, upgrade));
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 9, 2, 12, 0, 0, TimeSpan.Zero), 1000, "before");
        // The last hour before the change (still Starter) and the first after it (Pro).
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 9, 11, 3, 0, 0, TimeSpan.Zero), 10, "edge-before");
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 9, 11, 4, 0, 0, TimeSpan.Zero), 2500, "after");

        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero));

        var invoice = Assert.Single(await portal.InvoicesAsync(subscription));
        Assert.Equal(start, invoice.PeriodStart);
        Assert.Equal(new DateTime(2026, 10, 1, 4, 0, 0, DateTimeKind.Utc), invoice.PeriodEnd);
        Assert.Collection(invoice.Lines,
            line => Assert.Equal(("charge", 1010m, 1010L, start, upgrade), (line.Kind, line.Quantity, line.Amount, line.UsageFrom, line.UsageTo)),
            // 30.00 × 10/30 days
            line => Assert.Equal(("flat_fee", 1000L), (line.Kind, line.Amount)),
            line => Assert.Equal(("charge", 2500m, 1000L, upgrade), (line.Kind, line.Quantity, line.Amount, line.UsageFrom)),
            // 60.00 × 20/30 days
            line => Assert.Equal(("flat_fee", 4000L), (line.Kind, line.Amount)));
        Assert.Contains("Starter", invoice.Lines[1].Description, StringComparison.Ordinal);
        Assert.Contains("2026-09-01 to 2026-09-10", invoice.Lines[0].Description, StringComparison.Ordinal);
        Assert.Contains("2026-09-11 to 2026-09-30", invoice.Lines[2].Description, StringComparison.Ordinal);
        Assert.Equal(7010, invoice.Total);
    }

    [Fact]
    public async Task An_event_for_a_finalized_period_is_billed_on_the_next_invoice_as_late_usage_priced_at_its_tier()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync();
        var version = await portal.CreatePlanVersionAsync("Tiered", "USD", 0, 0,
            Charges.Graduated(meter, ("0", "100", "0.10", "0"), ("100", null, "0.05", "0")));
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc));
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 7, 5, 0, 0, 0, TimeSpan.Zero), 100, "july");
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 8, 1, 6, 0, 0, TimeSpan.Zero));
        var july = Assert.Single(await portal.InvoicesAsync(subscription));
        Assert.Equal((InvoiceStatuses.Finalized, 1000L), (july.Status, july.Total));

        // 30 more July events arrive after July was finalized, and 50 August events.
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 7, 20, 0, 0, 0, TimeSpan.Zero), 30, "late");
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 3, 0, 0, 0, TimeSpan.Zero), 50, "august");
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 6, 0, 0, TimeSpan.Zero));

        var invoices = await portal.InvoicesAsync(subscription);
        Assert.Equal(2, invoices.Count);
        var julyAgain = invoices[0];
        Assert.Equal(july.Total, julyAgain.Total);
        Assert.Equal(july.Lines.Select(l => (l.Kind, l.Amount, l.Quantity)), julyAgain.Lines.Select(l => (l.Kind, l.Amount, l.Quantity)));
        var august = invoices[1];
        Assert.Collection(august.Lines,
            line => Assert.Equal(("charge", 50m, 500L), (line.Kind, line.Quantity, line.Amount)),
            line =>
            {
                // July now holds 130 calls: 130 are worth 11.50, 10.00 was billed, so 1.50 (30 at the second tier's 0.05).
                Assert.Equal(("late_usage", 30m, 150L), (line.Kind, line.Quantity, line.Amount));
                Assert.Equal(new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc), line.UsageFrom);
                Assert.Contains("Late usage", line.Description, StringComparison.Ordinal);
                Assert.Contains("2026-07-01 to 2026-07-31", line.Description, StringComparison.Ordinal);
            });
        Assert.Equal(650, august.Total);

        // Nothing new arrived: September carries no late usage, and July's late events are not billed twice.
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 10, 1, 6, 0, 0, TimeSpan.Zero));
        var september = (await portal.InvoicesAsync(subscription))[2];
        Assert.DoesNotContain(september.Lines, l => l.Kind == "late_usage");
        Assert.Equal(0, september.Total);
    }

    [Fact]
    public async Task The_cost_so_far_is_the_invoice_the_period_closes_into_with_late_usage_credits_and_tax()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync("USD", "UTC", 0.10m);
        var version = await portal.CreatePlanVersionAsync("Tiered", "USD", 0, 0,
            Charges.Graduated(meter, ("0", "100", "0.10", "0"), ("100", null, "0.05", "0")));
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc));
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 7, 5, 0, 0, 0, TimeSpan.Zero), 100, "july");
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 8, 1, 6, 0, 0, TimeSpan.Zero));
        Assert.Equal(1100L, Assert.Single(await portal.InvoicesAsync(subscription)).Total);
        // After July closed: 30 late July calls, 50 August calls, and a grant of 3.00.
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 7, 20, 0, 0, 0, TimeSpan.Zero), 30, "late");
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 3, 0, 0, 0, TimeSpan.Zero), 50, "august");
        await portal.CreateGrantAsync(customerId, 300);

        var cost = await portal.WithServicesAsync(services => services.GetRequiredService<CostQuery>().CurrentAsync(customerId, new DateTime(2026, 8, 20, 0, 0, 0, DateTimeKind.Utc)));

        // August 50 × 0.10 = 5.00; July's 30 late calls at the second tier 1.50; the grant takes 3.00; tax 10 % of 3.50.
        var preview = cost!.Invoice!;
        Assert.Equal((500L, 150L, 300L, 0.10m, 35L, 385L), (preview.UsageAndFees, preview.LateUsage, preview.Credits, preview.TaxRate, preview.Tax, preview.Total));
        Assert.Equal(cost.SoFar, preview.UsageAndFees);
        // The projection owes the same way at the period's end: its usage and fees plus the late usage, less the grant, plus tax.
        static long Owed(long usageAndFees) => (usageAndFees + 150 - 300) + (long)Math.Round((usageAndFees + 150 - 300) * 0.10m, MidpointRounding.AwayFromZero);
        Assert.Equal(new CostBand(Owed(cost.Projection.Total), Owed(cost.Projection.Low), Owed(cost.Projection.High)), preview.Projected);

        // Nothing more arrives: the invoice August closes into says what the dashboard said.
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 6, 0, 0, TimeSpan.Zero));
        var august = (await portal.InvoicesAsync(subscription))[1];
        Assert.Equal((preview.UsageAndFees + preview.LateUsage, preview.Credits, preview.Tax, preview.Total), (august.Subtotal, august.CreditsApplied, august.Tax, august.Total));
    }

    [Fact]
    public async Task Credits_are_applied_at_finalization_soonest_expiring_first_and_every_movement_is_in_the_ledger()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, _) = await CountMeterAsync(api);
        var (customerId, _) = await portal.CreateBillingCustomerAsync("USD", "UTC", 0.10m);
        var version = await portal.CreatePlanVersionAsync("Flat", "USD", 2000, 0, Charges.Standard(meter, "1"));
        var (never, soon) = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var never = new CreditGrant { CustomerId = customerId, Currency = "USD", Amount = 1500, Remaining = 1500, Reason = "goodwill", CreatedAt = DateTime.UtcNow };
            var soon = new CreditGrant { CustomerId = customerId, Currency = "USD", Amount = 700, Remaining = 700, Reason = "promo", ExpiresAt = new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc), CreatedAt = DateTime.UtcNow };
            db.CreditGrants.AddRange(never, soon);
            await db.SaveChangesAsync();
            return (never.Id, soon.Id);
        });
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));

        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 1, 0, 0, TimeSpan.Zero));

        var invoice = Assert.Single(await portal.InvoicesAsync(subscription));
        // 20.00 − (7.00 promo first, then 13.00 of goodwill) = 0 taxable: total 0.00.
        Assert.Equal((2000L, 2000L, 0L, 0L), (invoice.Subtotal, invoice.CreditsApplied, invoice.Tax, invoice.Total));
        var (grants, ledger) = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            return (await db.CreditGrants.AsNoTracking().Where(g => g.CustomerId == customerId).ToDictionaryAsync(g => g.Id, g => g.Remaining),
                await db.CreditLedger.AsNoTracking().Where(e => e.CustomerId == customerId).OrderBy(e => e.Id).ToListAsync());
        });
        Assert.Equal(0, grants[soon]);
        Assert.Equal(200, grants[never]);
        Assert.Collection(ledger,
            e => Assert.Equal((soon, "applied", -700L, 0L, (long?)invoice.Id), (e.CreditGrantId, e.Kind, e.Amount, e.BalanceAfter, e.InvoiceId)),
            e => Assert.Equal((never, "applied", -1300L, 200L, (long?)invoice.Id), (e.CreditGrantId, e.Kind, e.Amount, e.BalanceAfter, e.InvoiceId)));
    }

    [Fact]
    public async Task A_draft_stays_a_draft_during_the_grace_period_and_picks_up_events_that_arrive_in_it()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync();
        var version = await portal.CreatePlanVersionAsync("Per call", "USD", 0, 0, Charges.Standard(meter, "0.5"));
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 31, 23, 0, 0, TimeSpan.Zero), 4, "in-period");
        await portal.WithServicesAsync(async services =>
        {
            // Closed at 00:10 with a one-hour grace period: a draft until 01:00.
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var runner = BillingPortal.Runner(services, new DateTimeOffset(2026, 9, 1, 0, 10, 0, TimeSpan.Zero));
            Assert.Equal(1, await runner.CloseDuePeriodsAsync());
            var draft = await db.Invoices.AsNoTracking().SingleAsync(i => i.SubscriptionId == subscription);
            await db.Invoices.Where(i => i.Id == draft.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.FinalizesAt, new DateTime(2026, 9, 1, 1, 0, 0, DateTimeKind.Utc)));
            Assert.Equal((InvoiceStatuses.Draft, (string?)null, 200L), (draft.Status, draft.Number, draft.Total));
            Assert.Equal(0, await runner.FinalizeDueAsync());
        });
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 31, 23, 59, 0, TimeSpan.Zero), 2, "in-grace");

        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 1, 0, 0, TimeSpan.Zero));

        var invoice = Assert.Single(await portal.InvoicesAsync(subscription));
        Assert.Equal(InvoiceStatuses.Finalized, invoice.Status);
        Assert.NotNull(invoice.Number);
        Assert.Equal((6m, 300L), (invoice.Lines[0].Quantity, invoice.Total));
    }

    [Fact]
    public async Task An_operator_can_finalize_a_draft_early_once_and_a_finalized_invoice_cannot_be_finalized_again()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync();
        var version = await portal.CreatePlanVersionAsync("Per call", "USD", 0, 0, Charges.Standard(meter, "0.25"));
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 10, 0, 0, 0, TimeSpan.Zero), 8, "early");
        await portal.WithServicesAsync(services => BillingPortal.Runner(services, new DateTimeOffset(2026, 9, 1, 0, 5, 0, TimeSpan.Zero)).CloseDuePeriodsAsync());
        var draft = Assert.Single(await portal.InvoicesAsync(subscription));
        Assert.Equal(InvoiceStatuses.Draft, draft.Status);

        using var finalized = await api.PostAsync($"/api/v1/invoices/{draft.Id}/finalize", null);
        using var again = await api.PostAsync($"/api/v1/invoices/{draft.Id}/finalize", null);
        using var unknown = await api.PostAsync("/api/v1/invoices/999999999/finalize", null);

        var body = System.Text.Json.JsonDocument.Parse(await finalized.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(System.Net.HttpStatusCode.OK, finalized.StatusCode);
        Assert.Equal("finalized", body.GetProperty("status").GetString());
        Assert.Matches("^INV-[0-9]{6}$", body.GetProperty("number").GetString());
        Assert.Equal("2.00", body.GetProperty("total").GetString());
        var conflict = await AssertProblemAsync(again, System.Net.HttpStatusCode.Conflict);
        Assert.Contains(conflict.Errors, e => e.Field == "status");
        await AssertProblemAsync(unknown, System.Net.HttpStatusCode.NotFound);
        var stored = Assert.Single(await portal.InvoicesAsync(subscription));
        Assert.Equal(body.GetProperty("number").GetString(), stored.Number);
    }

    [Fact]
    public async Task A_percentage_charge_bills_its_fixed_fee_per_event_even_without_allowances()
    {
        using var api = await portal.ApiClientAsync();
        var eventType = Unique.EventType("bill.payment");
        var meter = Unique.MeterCode("payments");
        await api.CreateMeterAsync(Meter(meter, eventType, "sum", "amount"));
        var (customerId, customer) = await portal.CreateBillingCustomerAsync();
        var version = await portal.CreatePlanVersionAsync("Payments", "USD", 0, 0,
            new { meter, model = "percentage", properties = new { rate = "1.5", fixedAmount = "0.30" } });
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        var events = new[] { "100", "250.50", "19.99" }.Select((amount, i) => (JsonNode)Event($"pay-{Guid.NewGuid():N}", eventType, customer,
            new DateTimeOffset(2026, 8, 3, 10, i, 0, TimeSpan.Zero), new { amount = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        Assert.Equal(3, (await api.IngestBatchAsync(events)).Accepted);

        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 1, 0, 0, TimeSpan.Zero));

        var line = Assert.Single(Assert.Single(await portal.InvoicesAsync(subscription)).Lines);
        // 370.49 × 1.5 % = 5.55735, plus 3 × 0.30 = 6.45735 → 6.46.
        Assert.Equal((370.49m, 6.45735m, 646L), (line.Quantity, line.ExactAmount, line.Amount));
    }

    [Fact]
    public async Task Late_usage_of_a_subscription_that_has_ended_gets_an_invoice_of_its_own_once()
    {
        using var api = await portal.ApiClientAsync();
        var (meter, eventType) = await CountMeterAsync(api);
        var (customerId, customer) = await portal.CreateBillingCustomerAsync("EUR", "UTC", 0.19m);
        var version = await portal.CreatePlanVersionAsync("Per call", "EUR", 0, 0, Charges.Standard(meter, "0.10"));
        var subscription = await portal.SubscribeAsync(customerId, version, new DateTime(2026, 8, 1, 0, 0, 0, DateTimeKind.Utc));
        await portal.WithServicesAsync(async services =>
        {
            // Cancelled to end with August.
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var stored = await db.Subscriptions.Include(s => s.Phases).SingleAsync(s => s.Id == subscription);
            stored.EndsAt = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);
            stored.Phases[0].EndsAt = stored.EndsAt;
            UsagePortal.Domain.Subscriptions.SubscriptionSchedule.ScheduleFrom(stored, stored.StartsAt);
            await db.SaveChangesAsync();
        });
        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 10, 0, 0, 0, TimeSpan.Zero), 10, "last-month");
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 1, 6, 0, 0, TimeSpan.Zero));
        Assert.Equal(100, Assert.Single(await portal.InvoicesAsync(subscription)).Subtotal);

        await SendAsync(api, eventType, customer, new DateTimeOffset(2026, 8, 30, 0, 0, 0, TimeSpan.Zero), 5, "after-the-end");
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 5, 6, 0, 0, TimeSpan.Zero));
        await portal.RunInvoicerAsync(new DateTimeOffset(2026, 9, 6, 6, 0, 0, TimeSpan.Zero));

        var invoices = await portal.InvoicesAsync(subscription);
        Assert.Equal(2, invoices.Count);
        var late = invoices[1];
        Assert.Equal((InvoiceStatuses.Finalized, "EUR"), (late.Status, late.Currency));
        var line = Assert.Single(late.Lines);
        Assert.Equal(("late_usage", 5m, 50L), (line.Kind, line.Quantity, line.Amount));
        Assert.Equal((50L, 10L, 60L), (late.Subtotal, late.Tax, late.Total)); // 0.50 + 19 % (0.095 → 0.10)
    }
}
