using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using UsagePortal.Metering;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>
/// Every aggregation, with filters and group-by, read through the usage API (daily rollups for whole UTC days, hourly
/// rollups for other whole hours, raw events for partial ones) equals <see cref="ReferenceUsage.Compute(MeterDefinition, IEnumerable{ValueTuple{IncomingEvent, long}}, DateTimeOffset, DateTimeOffset)"/>
/// over the same raw events, to the last decimal place: totals and every group.
/// </summary>
/// <remarks>
/// A few hundred deterministic pseudo-random events over seven hours (many sharing a time, some on hour boundaries,
/// some with offsets other than Z, some that meters must skip) are sent once per host, shuffled, in
/// concurrent batches; each test then reads one kind of range. A second scenario spreads events over the week around
/// the day New York's clocks went forward in 2026 (8 March), for ranges that cross the daily tier's boundaries.
/// </remarks>
public abstract class AggregationTests(MeteringPortal portal)
{
    private static readonly ConcurrentDictionary<MeteringPortal, Lazy<Task<Scenario>>> Scenarios = new();

    /// <summary>Not on any boundary that matters, and far enough in the past.</summary>
    private static readonly DateTimeOffset Day = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static readonly ConcurrentDictionary<MeteringPortal, Lazy<Task<Scenario>>> WeekScenarios = new();

    /// <summary>The week of the second scenario: 5 to 12 March 2026 (UTC).</summary>
    private static readonly DateTimeOffset Week = new(2026, 3, 5, 0, 0, 0, TimeSpan.Zero);

    private Task<Scenario> ScenarioAsync() => Scenarios.GetOrAdd(portal, p => new Lazy<Task<Scenario>>(() => Scenario.SendAsync(p, Day, 7, 420))).Value;

    private Task<Scenario> WeekScenarioAsync() => WeekScenarios.GetOrAdd(portal, p => new Lazy<Task<Scenario>>(() => Scenario.SendAsync(p, Week, 7 * 24, 900))).Value;

    [Fact]
    public async Task TheScenarioExercisesEveryMeterAndSkipsWhatMetersMustSkip()
    {
        var scenario = await ScenarioAsync();
        var everything = (Day.AddDays(-1), Day.AddDays(1));

        foreach (var meter in scenario.Meters)
        {
            var all = scenario.Expected(meter with { GroupBy = [] }, everything);
            Assert.True(all.TryGetValue(GroupKey.None, out var total) && total != 0, $"{meter.Code} counts nothing in the scenario.");
            var counted = scenario.Events.Count(e => new MeterEvaluator(meter).TryEvaluate(e.Event, out _));
            Assert.InRange(counted, 5, scenario.Events.Count - 20);
            if (meter.GroupBy.Count > 0)
            {
                Assert.True(scenario.Expected(meter, everything).Count >= 3, $"{meter.Code} has fewer than three groups in the scenario.");
            }
        }
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceOverWholeHours()
    {
        await AssertMatchesReferenceAsync(Day.AddHours(1), Day.AddHours(5));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWithPartialHoursAtBothEdges()
    {
        await AssertMatchesReferenceAsync(Day.AddHours(0).AddMinutes(17).AddSeconds(23), Day.AddHours(5).AddMinutes(41).AddSeconds(7.5));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWithinASingleHour()
    {
        await AssertMatchesReferenceAsync(Day.AddHours(2).AddMinutes(10), Day.AddHours(2).AddMinutes(50));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceOverARangeHoldingEveryEvent()
    {
        await AssertMatchesReferenceAsync(Day.AddHours(-3), Day.AddHours(10));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWithPartialHoursAtBothEndsAroundWholeOnes()
    {
        // Distinct values of the edges are counted once whether or not the whole hours between them hold them too.
        await AssertMatchesReferenceAsync(Day.AddHours(1).AddMinutes(10), Day.AddHours(5).AddMinutes(50));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceFromAPartialHourToAWholeOne()
    {
        await AssertMatchesReferenceAsync(Day.AddHours(3).AddMinutes(59).AddSeconds(59), Day.AddHours(6));
    }

    // An edge hour whose part outside the range holds no event is read whole from its rollup (UsageQuery.WidenedAsync);
    // these ranges end a tick after an hour's last event (finer than PostgreSQL keeps time), so that is the path they take.

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWithinEachHourFromItsFirstEventToJustAfterItsLast()
    {
        var scenario = await ScenarioAsync();

        foreach (var hour in Hours)
        {
            await AssertMatchesReferenceAsync(scenario.FirstIn(hour), scenario.LastIn(hour).AddTicks(1));
        }
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWhenBothEdgeHoursHoldNothingOutsideTheRange()
    {
        var scenario = await ScenarioAsync();

        foreach (var hour in Hours.SkipLast(2))
        {
            await AssertMatchesReferenceAsync(scenario.FirstIn(hour), scenario.LastIn(hour.AddHours(2)).AddTicks(1));
        }
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWhenOnlyOneEdgeHourHoldsNothingOutsideTheRange()
    {
        var scenario = await ScenarioAsync();
        // Hour 4 has events after 4:20 and hour 2 before 2:20 (the scenario has events on a ten-minute grid), so the other
        // edge is read from the raw events.
        Assert.Contains(scenario.Events, e => e.Event.Time > Day.AddHours(4).AddMinutes(20) && e.Event.Time < Day.AddHours(5));
        Assert.Contains(scenario.Events, e => e.Event.Time >= Day.AddHours(2) && e.Event.Time < Day.AddHours(2).AddMinutes(20));

        await AssertMatchesReferenceAsync(scenario.FirstIn(Day.AddHours(2)), Day.AddHours(4).AddMinutes(20));
        await AssertMatchesReferenceAsync(Day.AddHours(2).AddMinutes(20), scenario.LastIn(Day.AddHours(4)).AddTicks(1));
    }

    [Fact]
    public async Task TheWeekIsStoredInTheDailyTierFromTheStart()
    {
        var scenario = await WeekScenarioAsync();
        var (rows, completeFromTheStart) = await portal.DailyTierAsync(scenario.Customer);
        Assert.True(completeFromTheStart, "A database made by the migrations holds every day in the daily tier.");
        Assert.InRange(rows, 7, int.MaxValue);
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceOverWholeUtcDays()
    {
        await AssertMatchesReferenceAsync(await WeekScenarioAsync(), Week.AddDays(1), Week.AddDays(5));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceWithPartialDaysAndPartialHoursAtBothEnds()
    {
        // Raw events to 14:00, hourly rollups to midnight, daily ones for four days, hourly ones to 05:00, raw events after.
        await AssertMatchesReferenceAsync(await WeekScenarioAsync(), Week.AddHours(13).AddMinutes(17).AddSeconds(23), Week.AddDays(5).AddHours(5).AddMinutes(41).AddSeconds(7.5));
    }

    [Fact]
    public async Task TotalsAndGroupsMatchTheReferenceFromAWholeDayToAPartialOne()
    {
        await AssertMatchesReferenceAsync(await WeekScenarioAsync(), Week.AddDays(2), Week.AddDays(4).AddHours(19));
    }

    [Fact]
    public async Task UniqueCountsSpanningHourlyAndDailyRowsCountEachValueOnce()
    {
        // Two hours before a whole day and two after: the same few user values recur in all of them.
        var scenario = await WeekScenarioAsync();
        var (from, to) = (Week.AddDays(1).AddHours(-2), Week.AddDays(2).AddHours(2));
        var unique = scenario.Meters.Single(m => m.Aggregation == MeterAggregation.UniqueCount);
        var before = scenario.Expected(unique with { GroupBy = [] }, (from, Week.AddDays(1))).GetValueOrDefault(GroupKey.None);
        var day = scenario.Expected(unique with { GroupBy = [] }, (Week.AddDays(1), Week.AddDays(2))).GetValueOrDefault(GroupKey.None);
        var after = scenario.Expected(unique with { GroupBy = [] }, (Week.AddDays(2), to)).GetValueOrDefault(GroupKey.None);
        var all = scenario.Expected(unique with { GroupBy = [] }, (from, to)).GetValueOrDefault(GroupKey.None);
        Assert.True(before > 0 && after > 0 && all < before + day + after, "The range's parts share values: a sum of the parts would count some twice.");

        await AssertMatchesReferenceAsync(scenario, from, to);
    }

    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Asia/Kolkata")]
    public async Task TotalsAndGroupsMatchTheReferenceOverLocalDaysOfAZone(string zoneId)
    {
        // Local midnights: New York's 8 March has 23 hours (its midnights are at 05:00Z before and 04:00Z after);
        // Kolkata's fall on the half hour, inside a UTC hour.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        DateTimeOffset Midnight(int day)
        {
            var local = new DateTime(2026, 3, day, 0, 0, 0, DateTimeKind.Unspecified);
            return new DateTimeOffset(local, zone.GetUtcOffset(local));
        }

        var scenario = await WeekScenarioAsync();
        await AssertMatchesReferenceAsync(scenario, Midnight(7), Midnight(10));
        await AssertMatchesReferenceAsync(scenario, Midnight(8), Midnight(9));
    }

    /// <summary>The seven hours the scenario's events fall in.</summary>
    private static IEnumerable<DateTimeOffset> Hours => Enumerable.Range(0, 7).Select(h => Day.AddHours(h));

    private async Task AssertMatchesReferenceAsync(DateTimeOffset from, DateTimeOffset to) => await AssertMatchesReferenceAsync(await ScenarioAsync(), from, to);

    private async Task AssertMatchesReferenceAsync(Scenario scenario, DateTimeOffset from, DateTimeOffset to)
    {
        using var api = await portal.ApiClientAsync();

        var usage = await api.UsageAsync(scenario.Customer, from, to);

        var mismatches = new List<string>();
        foreach (var meter in scenario.Meters)
        {
            var expectedTotal = scenario.Expected(meter with { GroupBy = [] }, (from, to)).GetValueOrDefault(GroupKey.None);
            var actual = usage.Meters[meter.Code];
            if (actual.Quantity != expectedTotal)
            {
                mismatches.Add($"{meter.Code} ({meter.Aggregation}) total: expected {expectedTotal}, got {actual.Quantity}");
            }

            var expectedGroups = meter.GroupBy.Count == 0 ? new Dictionary<string, decimal>() : scenario.Expected(meter, (from, to));
            foreach (var key in expectedGroups.Keys.Union(actual.Groups.Keys).Order(StringComparer.Ordinal))
            {
                var expected = expectedGroups.TryGetValue(key, out var e) ? e : (decimal?)null;
                var got = actual.Groups.TryGetValue(key, out var g) ? g : (decimal?)null;
                if (expected != got)
                {
                    mismatches.Add($"{meter.Code} ({meter.Aggregation}) group {key}: expected {expected?.ToString(CultureInfo.InvariantCulture) ?? "none"}, got {got?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"Usage over [{Rfc3339(from)}, {Rfc3339(to)}) differs from the reference:\n{string.Join('\n', mismatches)}");
    }

    private sealed record Scenario(string Customer, IReadOnlyList<MeterDefinition> Meters, IReadOnlyList<(IncomingEvent Event, long Sequence)> Events)
    {
        public Dictionary<string, decimal> Expected(MeterDefinition meter, (DateTimeOffset From, DateTimeOffset To) range) =>
            ReferenceUsage.Compute(meter, Events, range.From, range.To).ToDictionary(StringComparer.Ordinal);

        /// <summary>The time of the first event in the hour starting at <paramref name="hour"/>.</summary>
        public DateTimeOffset FirstIn(DateTimeOffset hour) => InHour(hour).Min();

        /// <summary>The time of the last event in the hour starting at <paramref name="hour"/>.</summary>
        public DateTimeOffset LastIn(DateTimeOffset hour) => InHour(hour).Max();

        private List<DateTimeOffset> InHour(DateTimeOffset hour)
        {
            var times = Events.Select(e => e.Event.Time).Where(t => t >= hour && t < hour.AddHours(1)).ToList();
            Assert.True(times.Count >= 3, $"The scenario has fewer than three events in the hour from {hour:O}.");
            return times;
        }

        public static async Task<Scenario> SendAsync(MeteringPortal portal, DateTimeOffset first, int hours, int count)
        {
            using var api = await portal.ApiClientAsync();
            var customer = await portal.CreateCustomerAsync("agg");
            var eventType = Unique.EventType("agg.usage");
            var otherType = Unique.EventType("agg.other");
            var paid = new Dictionary<string, IReadOnlyList<string>> { ["plan"] = ["pro", "team"] };
            var meters = new List<MeterDefinition>
            {
                Define("agg_count", eventType, MeterAggregation.Count, null, paid, ["region"]),
                Define("agg_sum", eventType, MeterAggregation.Sum, "usage.tokens", new() { ["region"] = ["eu", "us"] }, ["model", "region"]),
                Define("agg_max", eventType, MeterAggregation.Max, "gb", paid, ["region"]),
                Define("agg_unique", eventType, MeterAggregation.UniqueCount, "user", new() { ["kind"] = ["api"] }, ["plan"]),
                Define("agg_latest", eventType, MeterAggregation.Latest, "seats", paid, ["region"]),
                Define("agg_sum_all", eventType, MeterAggregation.Sum, "usage.tokens", new(), []),
                Define("agg_latest_all", eventType, MeterAggregation.Latest, "seats", new(), []),
                Define("agg_other_type", otherType, MeterAggregation.Count, null, new(), []),
            };
            foreach (var meter in meters)
            {
                await api.CreateMeterAsync(Meter(meter.Code, meter.EventType, meter.Aggregation.ToWireName(), meter.Property,
                    meter.Filters.ToDictionary(f => f.Key, f => f.Value.ToArray()), [.. meter.GroupBy]));
            }

            var (bodies, sent) = Generate(customer, eventType, otherType, first, hours, count);
            var answers = await Task.WhenAll(bodies.Select(b => api.IngestAsync(b.ContentType, b.Body)));
            Assert.Equal(sent.Count, answers.Sum(a => a.Accepted));
            Assert.Equal(0, answers.Sum(a => a.Duplicates));

            var sequences = await portal.StoredSequencesAsync(customer);
            Assert.Equal(sent.Count, sequences.Count);
            return new Scenario(customer, meters, sent.Select(e => (e, sequences[(e.Source, e.Id)])).OrderBy(e => e.Item2).ToList());
        }

        private static MeterDefinition Define(string prefix, string eventType, MeterAggregation aggregation, string? property,
            Dictionary<string, IReadOnlyList<string>> filters, string[] groupBy) => new()
            {
                Code = Unique.MeterCode(prefix),
                Name = prefix,
                EventType = eventType,
                Aggregation = aggregation,
                Property = property,
                Filters = filters,
                GroupBy = groupBy,
            };

        /// <summary>The events, and the request bodies that carry them (shuffled, in batches of several sizes and two modes).</summary>
        private static (List<(string ContentType, string Body)> Bodies, List<IncomingEvent> Events) Generate(string customer, string eventType, string otherType,
            DateTimeOffset first, int hours, int count)
        {
            var random = new Random(20260105 + hours);
            T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];
            var nodes = new List<JsonObject>();
            var events = new List<IncomingEvent>();
            for (var i = 0; i < count; i++)
            {
                // Mostly on a ten-minute grid, so that many events share a time (latest must break the tie the same
                // way everywhere), some exactly on the hour, some anywhere (to the millisecond).
                var time = random.Next(10) switch
                {
                    0 => first.AddHours(random.Next(hours)),
                    1 or 2 => first.AddTicks((long)(random.NextDouble() * TimeSpan.FromHours(hours).Ticks) / 10_000 * 10_000),
                    _ => first.AddMinutes(10 * random.Next(6 * hours)),
                };
                var timeText = random.Next(5) == 0
                    ? time.ToOffset(TimeSpan.FromHours(Pick(2, -5, 5.5))).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)
                    : Rfc3339(time);

                var data = new JsonObject();
                Maybe(data, "region", Pick<JsonNode?>("eu", "eu", "us", "ap", null), random);
                Maybe(data, "plan", Pick<JsonNode?>("pro", "team", "team", "free", new JsonArray("pro")), random);
                Maybe(data, "model", Pick<JsonNode?>("small", "large"), random);
                Maybe(data, "kind", Pick<JsonNode?>("api", "api", "api", "batch"), random);
                Maybe(data, "user", Pick<JsonNode?>(JsonValue.Create(random.Next(25)), $"{random.Next(25)}", $"user-{random.Next(25)}"), random);
                var tokens = Math.Round((decimal)random.NextDouble() * 5000m, random.Next(5));
                // A value a meter cannot use refuses the whole batch (EventValueTests); here a sum's property is
                // sometimes simply absent, which the meter skips.
                Maybe(data, "usage", random.Next(12) == 0 ? new JsonObject { ["note"] = "n/a" } : new JsonObject
                {
                    ["tokens"] = random.Next(11) switch
                    {
                        0 => tokens.ToString(CultureInfo.InvariantCulture),
                        1 => -tokens,
                        2 => 123456789.123456m,
                        _ => tokens,
                    },
                }, random);
                Maybe(data, "gb", random.Next(8) == 0 ? (JsonNode)$"{random.Next(900)}.25" : Math.Round((decimal)random.NextDouble() * 800m, 2), random);
                if (random.Next(10) != 0)
                {
                    Maybe(data, "seats", random.Next(4) == 0 ? Math.Round((decimal)random.NextDouble() * 100m, 3) : random.Next(-5, 200), random);
                }

                var type = random.Next(20) == 0 ? otherType : eventType;
                var id = $"agg-{i:D4}-{Guid.NewGuid():N}";
                var node = Event(id, type, customer, time, data);
                node["time"] = timeText;
                nodes.Add(node);
                events.Add(IncomingEvent.Create(id, TestSource, type, customer, time, data.ToJsonString()));
            }

            var shuffled = nodes.OrderBy(_ => random.Next()).ToList();
            var bodies = new List<(string, string)>();
            var position = 0;
            foreach (var size in new[] { 150, 7, 101, 1, 60, 101 }.Append(count - 420).Where(s => s > 0))
            {
                var batch = shuffled.Skip(position).Take(size).ToList();
                position += size;
                bodies.Add(size == 1 ? (Structured, batch[0].ToJsonString())
                    : size == 101 && bodies.Count > 3 ? (Json, ArrayBody(batch.Select(WithoutSpecVersion)))
                    : (Batched, ArrayBody(batch)));
            }

            Assert.Equal(nodes.Count, position);
            return (bodies, events);
        }

        private static JsonNode WithoutSpecVersion(JsonObject e)
        {
            var copy = (JsonObject)e.DeepClone();
            copy.Remove("specversion");
            return copy;
        }

        /// <summary>Sets the property most of the time; sometimes leaves it out, as real senders do.</summary>
        private static void Maybe(JsonObject data, string name, JsonNode? value, Random random)
        {
            if (random.Next(12) != 0)
            {
                data[name] = value;
            }
        }
    }
}

[Collection(MeteringApiCollection.Name)]
public sealed class SqliteAggregationTests(MeteringPortal portal) : AggregationTests(portal);

public sealed class PostgresAggregationTests(PostgresMeteringPortal portal) : AggregationTests(portal), IClassFixture<PostgresMeteringPortal>;
