using System.Text.Json.Nodes;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Pricing;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.CostFixtures;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// The current period's cost so far and its projection, checked to the cent. The main plan has a graduated charge whose
/// second tier is half the price of the first: usage so far sits in the first tier and the projection reaches far into
/// the second, so the projected cost is well below a straight line through the cost so far.
/// </summary>
[Collection(MeteringApiCollection.Name)]
public sealed class CostQueryTests(MeteringPortal portal) : IAsyncLifetime
{
    private static readonly DateTime March = Utc(2026, 3, 1);

    /// <summary>Wednesday 11 March 2026, noon UTC: ten complete days behind, half of today and twenty days ahead.</summary>
    private static readonly DateTime Now = Utc(2026, 3, 11, 12);

    private HttpClient api = null!;

    public async Task InitializeAsync() => api = await portal.ApiClientAsync();

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CostSoFarIsTheInvoiceIfThePeriodEndedNowAndTheProjectionIsRatedThroughTheTiers()
    {
        var customer = await TieredCustomerAsync();

        var cost = await portal.CurrentCostAsync(customer.Id, Now);

        Assert.NotNull(cost);
        Assert.Equal((March, Utc(2026, 4, 1)), (cost.Period.Start, cost.Period.End));
        Assert.Equal("USD", cost.Currency.Code);
        // 105 calls: 100 × 0.10 + 5 × 0.05 = 10.25; peak storage 60 GB × 0.50 = 30.00; flat fee 10.00.
        Assert.Equal(5025, cost.SoFar);
        var calls = Assert.Single(cost.Lines, l => l.Meter == customer.Calls);
        Assert.Equal((105m, 1025L), (calls.Quantity, calls.Amount));
        // 10 a day for half of today and twenty more days: 105 + 205 = 310 calls, 10 + 210 × 0.05 = 20.50.
        Assert.Equal((310m, 2050L, ProjectionBasis.RecentMean), (calls.ProjectedQuantity, calls.ProjectedAmount, calls.Basis));
        Assert.NotEqual(calls.Amount * 310 / 105, calls.ProjectedAmount);
        var storage = Assert.Single(cost.Lines, l => l.Meter == customer.Storage);
        Assert.Equal((60m, 3000L, 60m, 3000L, ProjectionBasis.NotAdditive), (storage.Quantity, storage.Amount, storage.ProjectedQuantity, storage.ProjectedAmount, storage.Basis));
        Assert.Equal(1000, Assert.Single(cost.Lines, l => l.Kind == LineKinds.FlatFee).ProjectedAmount);
        // σ of 8, 12, 8, … is 2.10819 a day, the rate a mean of 10 days; 20.5 days ahead the 80 % band is
        // ± 1.2816 × σ × √(20.5 + 20.5² / 10) = 21.3643 calls: 288.64 to 331.36 calls.
        Assert.Equal(new CostBand(6050, 5943, 6157), cost.Projection);
        Assert.Equal(288.6357m, Math.Round(calls.ProjectedLowQuantity, 4));
        Assert.Equal(331.3643m, Math.Round(calls.ProjectedHighQuantity, 4));
    }

    [Fact]
    public async Task TheActualSeriesRatesTheCumulativeUsageAtTheEndOfEachDay()
    {
        var customer = await TieredCustomerAsync();

        var cost = await portal.CurrentCostAsync(customer.Id, Now);

        Assert.NotNull(cost);
        // Start (flat fee only), the end of 1 to 10 March, now. Storage peaks at 40 GB on the 2nd and 60 GB on the 5th.
        Assert.Equal([March, .. Enumerable.Range(2, 10).Select(d => Utc(2026, 3, d)), Now], cost.Actual.Select(p => p.At));
        Assert.Equal([1000L, 1080, 3200, 3280, 3400, 4480, 4600, 4680, 4800, 4880, 5000, 5025], cost.Actual.Select(p => p.Amount));
    }

    [Fact]
    public async Task APeriodStartingInsideADayCountsOnlyThatDaysHoursFromItsStart()
    {
        // Anniversary periods from 1 March 06:00 UTC: whole days of the chart come from the daily rollups, the first day
        // by the hour. A call and a user seen at 03:00 and 04:00 on the 1st are before the period; "u1" comes back on the
        // 3rd, so that is the day it first counts.
        var customer = await portal.CreateCustomerAsync("midday");
        var calls = Unique.MeterCode("calls");
        var users = Unique.MeterCode("users");
        var callType = Unique.EventType("cost.call");
        var userType = Unique.EventType("cost.user");
        await api.CreateMeterAsync(Meter(calls, callType, "sum", property: "n"));
        await api.CreateMeterAsync(Meter(users, userType, "unique_count", property: "user"));
        await portal.SubscribeAsync(customer, $$"""
            [{ "meter": "{{calls}}", "model": "standard", "properties": { "unitAmount": "1" } },
             { "meter": "{{users}}", "model": "standard", "properties": { "unitAmount": "1" } }]
            """, Utc(2026, 3, 1, 6), anchor: "anniversary");
        await api.IngestAllAsync([
            .. Events(userType, customer, Utc(2026, 3, 1, 3), 1, new { user = "u1" }),
            .. Events(callType, customer, Utc(2026, 3, 1, 4), 1, new { n = 5 }),
            .. Events(userType, customer, Utc(2026, 3, 1, 8), 1, new { user = "u3" }),
            .. Events(callType, customer, Utc(2026, 3, 1, 10), 1, new { n = 7 }),
            .. Events(userType, customer, Utc(2026, 3, 2, 9), 1, new { user = "u2" }),
            .. Events(callType, customer, Utc(2026, 3, 2, 10), 1, new { n = 1 }),
            .. Events(userType, customer, Utc(2026, 3, 3, 9), 1, new { user = "u1" }),
        ]);

        var cost = await portal.CurrentCostAsync(await portal.CustomerIdAsync(customer), Now);

        Assert.NotNull(cost);
        Assert.Equal(Utc(2026, 3, 1, 6), cost.Period.Start);
        Assert.Equal(1100, cost.SoFar);
        // Start; end of the 1st: 7 calls and u3; the 2nd: 8 calls, u2; the 3rd: u1; then flat to now.
        Assert.Equal([Utc(2026, 3, 1, 6), .. Enumerable.Range(2, 10).Select(d => Utc(2026, 3, d)), Now], cost.Actual.Select(p => p.At));
        Assert.Equal([0L, 800, 1000, 1100, 1100, 1100, 1100, 1100, 1100, 1100, 1100, 1100], cost.Actual.Select(p => p.Amount));
    }

    [Fact]
    public async Task TheProjectedSeriesRunsFromNowToThePeriodsEndAtTheSecondTiersPrice()
    {
        var customer = await TieredCustomerAsync();

        var cost = await portal.CurrentCostAsync(customer.Id, Now);

        Assert.NotNull(cost);
        Assert.Equal(new ProjectedCostPoint(Now, 5025, 5025, 5025), cost.Projected[0]);
        // Ten calls a day at 0.05 from here on: 0.50 a day, where the first ten days cost 1.00 a day in calls.
        Assert.Equal(Enumerable.Range(0, 21).Select(k => 5050L + (50 * k)), cost.Projected.Skip(1).Select(p => p.Expected));
        Assert.Equal(Utc(2026, 4, 1), cost.Projected[^1].At);
        Assert.Equal(Utc(2026, 3, 14), cost.Projected[3].At);
        // End of 13 March: 130 calls expected, ± 1.2816 × 2.10819 × √(2.5 + 2.5² / 10) = 4.776: 51.26 to 51.74.
        Assert.Equal((5126L, 5174L), (cost.Projected[3].Low, cost.Projected[3].High));
        Assert.Equal(cost.Projection, new CostBand(cost.Projected[^1].Expected, cost.Projected[^1].Low, cost.Projected[^1].High));
    }

    [Fact]
    public async Task AMinimumCommitmentTrueUpSoFarDisappearsWhenTheProjectionExceedsTheCommitment()
    {
        var customer = await TieredCustomerAsync(minimumCommitment: 4500);

        var cost = await portal.CurrentCostAsync(customer.Id, Now);

        Assert.NotNull(cost);
        // Charges so far 40.25 against 45.00: a true-up of 4.75; at the period's end 50.50 in charges, no true-up.
        Assert.Equal(5500, cost.SoFar);
        var trueUp = Assert.Single(cost.Lines, l => l.Kind == LineKinds.MinimumCommitment);
        Assert.Equal((475L, 0L), (trueUp.Amount, trueUp.ProjectedAmount));
        // Calls 10.25 and storage 30.00 against 45.00 committed: the line says so.
        Assert.Equal("Minimum commitment, Scale: usage came to 40.25 of the 45.00 USD committed; this is the difference", trueUp.Description);
        Assert.Equal(new CostBand(6050, 5943, 6157), cost.Projection);
        Assert.All(cost.Actual, p => Assert.Equal(5500, p.Amount));
    }

    [Fact]
    public async Task WithTwoWeeksOfHistoryTheProjectionKnowsWeekendsInTheBillingZone()
    {
        var id = await WeekdayCustomerAsync(portal, api);

        // Wednesday 10 June, noon in New York.
        var cost = await portal.CurrentCostAsync(id, Utc(2026, 6, 10, 16));

        Assert.NotNull(cost);
        Assert.Equal((Utc(2026, 6, 1, 4), Utc(2026, 7, 1, 4)), (cost.Period.Start, cost.Period.End));
        var eu = Assert.Single(cost.Lines, l => l.GroupKey == """{"region":"eu"}""");
        // Seven weekdays so far; then half of Wednesday and fourteen more weekdays: 70 + 5 + 140.
        Assert.Equal((70m, 700L, ProjectionBasis.WeekdayMeans), (eu.Quantity, eu.Amount, eu.Basis));
        Assert.Equal((215m, 2150L), (eu.ProjectedQuantity, eu.ProjectedAmount));
        // No "us" usage this period, yet its recent Wednesdays to Fridays (0.75 each) expect 6.375 more calls: 0.64.
        var us = Assert.Single(cost.Lines, l => l.GroupKey == """{"region":"us"}""");
        Assert.Equal((0m, 0L, 6.375m, 64L), (us.Quantity, us.Amount, us.ProjectedQuantity, us.ProjectedAmount));
        Assert.Equal(700, cost.SoFar);
        Assert.Equal(2214, cost.Projection.Total);
        // The chart's days are New York days: the end of 1 June is 04:00 UTC on the 2nd.
        Assert.Equal(new CostPoint(Utc(2026, 6, 2, 4), 100), cost.Actual[1]);
    }

    [Fact]
    public async Task AMeterWithNoUsageYetThisPeriodIsProjectedAtLastPeriodsLevelNotAtZero()
    {
        // Peak storage per region at 0.50 a GB, and the most active users at 1.00 each, billed monthly from February.
        // February reached 70 GB in eu, 20 in us and 3 users; March has no storage event and no user yet.
        var customer = await portal.CreateCustomerAsync("levels");
        var storage = Unique.MeterCode("storage");
        var users = Unique.MeterCode("users");
        var storageType = Unique.EventType("cost.storage");
        var userType = Unique.EventType("cost.user");
        await api.CreateMeterAsync(Meter(storage, storageType, "max", property: "gb", groupBy: ["region"]));
        await api.CreateMeterAsync(Meter(users, userType, "unique_count", property: "user"));
        await portal.SubscribeAsync(customer, $$"""
            [{ "meter": "{{storage}}", "model": "standard", "properties": { "unitAmount": "0.50" } },
             { "meter": "{{users}}", "model": "standard", "properties": { "unitAmount": "1" } }]
            """, Utc(2026, 2, 1));
        await api.IngestAllAsync([
            .. Events(storageType, customer, Utc(2026, 2, 3, 9), 1, new { gb = 40, region = "eu" }),
            .. Events(storageType, customer, Utc(2026, 2, 20, 9), 1, new { gb = 70, region = "eu" }),
            .. Events(storageType, customer, Utc(2026, 2, 21, 9), 1, new { gb = 20, region = "us" }),
            .. new[] { "ann", "bob", "cy", "ann" }.SelectMany(u => Events(userType, customer, Utc(2026, 2, 10, 9), 1, new { user = u })),
        ]);
        var id = await portal.CustomerIdAsync(customer);

        var cost = await portal.CurrentCostAsync(id, Now);

        Assert.NotNull(cost);
        Assert.Equal(0, cost.SoFar);
        var eu = Assert.Single(cost.Lines, l => l.Meter == storage && l.GroupKey == """{"region":"eu"}""");
        Assert.Equal((0m, 0L, 70m, 3500L, ProjectionBasis.PreviousPeriod), (eu.Quantity, eu.Amount, eu.ProjectedQuantity, eu.ProjectedAmount, eu.Basis));
        var us = Assert.Single(cost.Lines, l => l.Meter == storage && l.GroupKey == """{"region":"us"}""");
        Assert.Equal((20m, 1000L), (us.ProjectedQuantity, us.ProjectedAmount));
        var active = Assert.Single(cost.Lines, l => l.Meter == users);
        Assert.Equal((0m, 3m, 300L, ProjectionBasis.PreviousPeriod), (active.Quantity, active.ProjectedQuantity, active.ProjectedAmount, active.Basis));
        Assert.Equal(new CostBand(4800, 4800, 4800), cost.Projection);
        // The chart reaches the level on the first day ahead, not at the period's end.
        Assert.Equal(4800, cost.Projected[1].Expected);

        // Once the meter has usage this period, its own level counts: 10 GB in eu so far.
        await api.IngestAllAsync([.. Events(storageType, customer, Utc(2026, 3, 11, 9), 1, new { gb = 10, region = "eu" })]);
        var after = await portal.CurrentCostAsync(id, Now);
        var euAfter = Assert.Single(after!.Lines, l => l.Meter == storage && l.GroupKey == """{"region":"eu"}""");
        Assert.Equal((10m, 500L, 10m, ProjectionBasis.NotAdditive), (euAfter.Quantity, euAfter.Amount, euAfter.ProjectedQuantity, euAfter.Basis));
    }

    [Fact]
    public async Task APercentageChargeWithAFreeAmountIsProjectedWithMoreEventsLikeTheObservedOnes()
    {
        var customer = await portal.CreateCustomerAsync("payments");
        var meter = Unique.MeterCode("payments");
        var type = Unique.EventType("cost.payment");
        await api.CreateMeterAsync(Meter(meter, type, "sum", property: "amount"));
        await portal.SubscribeAsync(customer, $$"""
            [{ "meter": "{{meter}}", "model": "percentage",
               "properties": { "rate": "1", "fixedAmount": "0.10", "freeUnitsPerTotalAggregation": "1000" } }]
            """, March);
        await api.IngestAllAsync([.. Enumerable.Range(1, 10).SelectMany(d => Events(type, customer, Utc(2026, 3, d, 9), 1, new { amount = 80 }))]);
        var id = await portal.CustomerIdAsync(customer);

        var cost = await portal.CurrentCostAsync(id, Now);

        Assert.NotNull(cost);
        // 800 so far, all inside the free 1000. At 80 a day the period reaches 2440 in 31 events (the last of 40): the
        // 13th crosses the allowance with 40 rated, then 1360 and 40 more: 1 % of 1440 = 14.40, plus 19 paid events × 0.10.
        var line = Assert.Single(cost.Lines, l => l.Meter == meter);
        Assert.Equal((800m, 0L), (line.Quantity, line.Amount));
        Assert.Equal((2440m, 1630L), (line.ProjectedQuantity, line.ProjectedAmount));
        Assert.Equal(new CostBand(1630, 1630, 1630), cost.Projection);
    }

    [Fact]
    public async Task WithoutASubscriptionRunningNowThereIsNoPlanAndNoCost()
    {
        var never = await portal.CreateCustomerAsync("noplan");
        var ended = await portal.CreateCustomerAsync("ended");
        var later = await portal.CreateCustomerAsync("later");
        const string Charges = """[{ "meter": "anything", "model": "standard", "properties": { "unitAmount": "1" } }]""";
        await portal.SubscribeAsync(ended, Charges, Utc(2026, 1, 1), endsAt: Utc(2026, 3, 1));
        await portal.SubscribeAsync(later, Charges, Utc(2026, 4, 1));

        foreach (var customer in new[] { never, ended, later })
        {
            Assert.Null(await portal.CurrentCostAsync(await portal.CustomerIdAsync(customer), Now));
        }
    }

    private Task<TieredCustomer> TieredCustomerAsync(long minimumCommitment = 0) => TieredCustomerAsync(portal, api, minimumCommitment);

    /// <summary>A customer on the tiered plan (flat fee 10.00) with <see cref="TieredUsage"/>.</summary>
    internal static async Task<TieredCustomer> TieredCustomerAsync(MeteringPortal portal, HttpClient api, long minimumCommitment = 0)
    {
        var customer = await portal.CreateCustomerAsync("cost");
        var calls = Unique.MeterCode("calls");
        var storage = Unique.MeterCode("storage");
        var callType = Unique.EventType("cost.call");
        var storageType = Unique.EventType("cost.storage");
        await api.CreateMeterAsync(Meter(calls, callType, "count"));
        await api.CreateMeterAsync(Meter(storage, storageType, "max", property: "gb"));
        await portal.SubscribeAsync(customer, TieredCharges(calls, storage), March, flatFee: 1000, minimumCommitment: minimumCommitment);
        await api.IngestAllAsync([.. TieredUsage(customer, callType, storageType)]);
        return new TieredCustomer(await portal.CustomerIdAsync(customer), customer, calls, storage);
    }

    /// <summary>
    /// A customer billed in New York on 0.10 a call, grouped by region: "eu" calls on weekdays only (4 May to 9 June),
    /// "us" on 13 to 15 May only. Answers the customer's id.
    /// </summary>
    internal static async Task<int> WeekdayCustomerAsync(MeteringPortal portal, HttpClient api)
    {
        // Weekdays only, at 23:30 New York time: 03:30 UTC the next day, so counted by UTC days they would land on
        // Tuesday to Saturday. "us" was busy for three days in May and not since.
        var customer = await portal.CreateCustomerAsync("weekday");
        var meter = Unique.MeterCode("calls");
        var type = Unique.EventType("cost.weekday");
        await api.CreateMeterAsync(Meter(meter, type, "count", groupBy: ["region"]));
        await portal.SubscribeAsync(customer, $$"""[{ "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "0.10" } }]""",
            Utc(2026, 5, 1, 4), zone: "America/New_York");
        var newYork = TimeSpan.FromHours(-4);
        var events = new List<JsonNode>();
        for (var day = new DateTime(2026, 5, 4); day <= new DateTime(2026, 6, 9); day = day.AddDays(1))
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                events.AddRange(Events(type, customer, new DateTimeOffset(day.AddHours(23.5), newYork), 10, new { region = "eu" }));
            }
        }

        for (var day = 13; day <= 15; day++)
        {
            events.AddRange(Events(type, customer, new DateTimeOffset(2026, 5, day, 12, 0, 0, newYork), 3, new { region = "us" }));
        }

        await api.IngestAllAsync(events);
        return await portal.CustomerIdAsync(customer);
    }

    /// <summary>Calls: 0.10 each up to 100, 0.05 above. Storage: 0.50 per GB at its peak.</summary>
    internal static string TieredCharges(string calls, string storage) => $$"""
        [{ "meter": "{{calls}}", "model": "graduated", "properties": { "ranges": [
             { "fromValue": "0", "toValue": "100", "perUnitAmount": "0.10", "flatAmount": "0" },
             { "fromValue": "100", "toValue": null, "perUnitAmount": "0.05", "flatAmount": "0" } ] } },
         { "meter": "{{storage}}", "model": "standard", "properties": { "unitAmount": "0.50" } }]
        """;

    /// <summary>8 and 12 calls on alternate days of 1 to 10 March (100), 5 more early on the 11th; storage 40 GB on the 2nd, 60 GB on the 5th.</summary>
    internal static IEnumerable<JsonNode> TieredUsage(string customer, string callType, string storageType)
    {
        for (var day = 1; day <= 10; day++)
        {
            foreach (var e in Events(callType, customer, Utc(2026, 3, day, 9), day % 2 == 1 ? 8 : 12))
            {
                yield return e;
            }
        }

        foreach (var e in Events(callType, customer, Utc(2026, 3, 11, 1), 5))
        {
            yield return e;
        }

        yield return Event(Unique.Name("s"), storageType, customer, Utc(2026, 3, 2, 10), new { gb = 40 });
        yield return Event(Unique.Name("s"), storageType, customer, Utc(2026, 3, 5, 10), new { gb = 60 });
    }

    internal sealed record TieredCustomer(int Id, string ExternalId, string Calls, string Storage);
}
