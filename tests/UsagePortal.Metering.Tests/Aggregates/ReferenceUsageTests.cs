using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Metering.Tests;

public class ReferenceUsageTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static MeterDefinition Meter(MeterAggregation aggregation) => MeterFixtures.Define(
        aggregation,
        aggregation switch
        {
            MeterAggregation.Count => null,
            MeterAggregation.UniqueCount => "user",
            _ => "tokens",
        },
        new Dictionary<string, IReadOnlyList<string>> { ["plan"] = ["pro", "team"] },
        ["region"]);

    private static IncomingEvent Event(int id, int minute, string data, string type = "api.call") =>
        IncomingEvent.Create(id.ToString(CultureInfo.InvariantCulture), "test", type, "cust-42", T0.AddMinutes(minute), data);

    [Fact]
    public void ComputesEachAggregationPerGroupWithinTheRange()
    {
        IncomingEvent[] events =
        [
            Event(1, 5, """{"plan":"pro","region":"eu","tokens":10,"user":"u1"}"""),
            Event(2, 15, """{"plan":"pro","region":"eu","tokens":"2.5","user":"u2"}"""),
            Event(3, 15, """{"plan":"team","region":"eu","tokens":4,"user":"u1"}"""),
            Event(4, 20, """{"plan":"pro","region":"us","tokens":1,"user":"u3"}"""),
            Event(5, 25, """{"plan":"free","region":"eu","tokens":100,"user":"u9"}"""),
            Event(6, 30, """{"plan":"pro","tokens":7,"user":"u4"}"""),
            Event(7, 35, """{"plan":"pro","region":"eu","tokens":1000,"user":"u5"}""", type: "other"),
            Event(8, 60, """{"plan":"pro","region":"eu","tokens":1000,"user":"u5"}"""),
        ];
        var from = T0;
        var to = T0.AddMinutes(60);
        const string eu = """{"region":"eu"}""";
        const string us = """{"region":"us"}""";
        const string none = """{"region":null}""";

        Assert.Equal(new Dictionary<string, decimal> { [eu] = 3, [us] = 1, [none] = 1 }, ReferenceUsage.Compute(Meter(MeterAggregation.Count), events, from, to));
        Assert.Equal(new Dictionary<string, decimal> { [eu] = 16.5m, [us] = 1, [none] = 7 }, ReferenceUsage.Compute(Meter(MeterAggregation.Sum), events, from, to));
        Assert.Equal(new Dictionary<string, decimal> { [eu] = 10, [us] = 1, [none] = 7 }, ReferenceUsage.Compute(Meter(MeterAggregation.Max), events, from, to));
        Assert.Equal(new Dictionary<string, decimal> { [eu] = 4, [us] = 1, [none] = 7 }, ReferenceUsage.Compute(Meter(MeterAggregation.Latest), events, from, to));
        Assert.Equal(new Dictionary<string, decimal> { [eu] = 2, [us] = 1, [none] = 1 }, ReferenceUsage.Compute(Meter(MeterAggregation.UniqueCount), events, from, to));
    }

    [Fact]
    public void ExplicitSequencesBreakLatestTies()
    {
        var meter = MeterFixtures.Define(MeterAggregation.Latest, "tokens");
        var a = Event(1, 0, """{"tokens":1}""");
        var b = Event(2, 0, """{"tokens":2}""");

        var quantities = ReferenceUsage.Compute(meter, [(a, 20L), (b, 10L)], T0, T0.AddHours(1));

        Assert.Equal(1m, quantities[GroupKey.None]);
    }

    private static readonly Gen<string> Numbers =
        from units in Gen.Choose(-5_000, 50_000)
        from scale in Gen.Choose(0, 3)
        from asString in Gen.Elements(false, false, true)
        let text = new decimal(Math.Abs(units), 0, 0, units < 0, (byte)scale).ToString(CultureInfo.InvariantCulture)
        select asString ? $"\"{text}\"" : text;

    // Few distinct values and times, so that groups fill up and latest ties on time are common.
    private static readonly Gen<string> Data =
        from plan in Gen.Elements("\"pro\"", "\"pro\"", "\"team\"", "\"free\"", null)
        from region in Gen.Elements("\"eu\"", "\"eu\"", "\"us\"", "null", null)
        from tokens in Gen.OneOf(Numbers, Numbers, Numbers, Numbers, Gen.Constant("\"n/a\""), Gen.Constant<string>(null!))
        from user in Gen.Elements("\"u1\"", "\"u2\"", "3", "\"3\"", "true", null)
        select "{" + string.Join(",", new[] { ("plan", plan), ("region", region), ("tokens", tokens), ("user", user) }
            .Where(p => p.Item2 is not null)
            .Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}";

    private static readonly Gen<IncomingEvent[]> Events =
        from count in Gen.Choose(0, 150)
        from items in Gen.ArrayOf(
            from quarterHour in Gen.Choose(0, 16)
            from data in Data
            from type in Gen.Elements("api.call", "api.call", "api.call", "other")
            select (quarterHour, data, type),
            count)
        select items
            .Select((item, i) => IncomingEvent.Create($"e{i}", "test", item.type, "cust-42", T0.AddMinutes(item.quarterHour * 15), item.data))
            .ToArray();

    private static readonly Gen<Case> Cases =
        from events in Events
        from aggregation in Gen.Elements(Enum.GetValues<MeterAggregation>())
        from fromMinute in Gen.Choose(0, 4 * 60)
        from length in Gen.Choose(0, 4 * 60)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Case(events, aggregation, T0.AddMinutes(fromMinute), T0.AddMinutes(fromMinute + length), seed);

    [Fact]
    public void HourlyRollupsMergedWithRawEdgesEqualTheReferenceForEveryAggregation()
    {
        Prop.ForAll(Cases.ToArbitrary(), c =>
            {
                var meter = Meter(c.Aggregation);
                var expected = ReferenceUsage.Compute(meter, c.Events, c.From, c.To);
                var actual = ViaRollups(meter, c.Events, c.From, c.To, new Random(c.Seed));
                return expected.Count == actual.Count
                    && expected.All(pair => actual.TryGetValue(pair.Key, out var quantity) && quantity == pair.Value);
            })
            .QuickCheckThrowOnFailure();
    }

    /// <summary>
    /// What the database path does: hour rollups written in arrival order (shuffled here), whole hours read
    /// from the rollups, partial edges computed from raw events, all merged per group.
    /// </summary>
    private static Dictionary<string, decimal> ViaRollups(MeterDefinition meter, IncomingEvent[] events, DateTimeOffset from, DateTimeOffset to, Random random)
    {
        var evaluator = new MeterEvaluator(meter);
        var arrival = Enumerable.Range(0, events.Length).ToArray();
        random.Shuffle(arrival);

        var rollups = new Dictionary<(string Group, DateTimeOffset Hour), Aggregate>();
        foreach (var sequence in arrival)
        {
            if (evaluator.TryEvaluate(events[sequence], out var reading))
            {
                var key = (reading.GroupKey, HourBuckets.FloorToHour(reading.Time));
                rollups[key] = rollups.GetValueOrDefault(key).Add(reading, sequence);
            }
        }

        var split = HourBuckets.Split(from, to);
        var totals = new Dictionary<string, Aggregate>();
        if (split.WholeHours is { } wholeHours)
        {
            foreach (var ((group, hour), aggregate) in rollups.OrderBy(_ => random.Next()))
            {
                if (wholeHours.Contains(hour))
                {
                    totals[group] = totals.GetValueOrDefault(group).Merge(aggregate);
                }
            }
        }

        foreach (var edge in new[] { split.Leading, split.Trailing })
        {
            if (edge is not { } range)
            {
                continue;
            }

            for (var sequence = 0; sequence < events.Length; sequence++)
            {
                if (range.Contains(events[sequence].Time) && evaluator.TryEvaluate(events[sequence], out var reading))
                {
                    totals[reading.GroupKey] = totals.GetValueOrDefault(reading.GroupKey).Add(reading, sequence);
                }
            }
        }

        return totals.Where(t => !t.Value.IsEmpty).ToDictionary(t => t.Key, t => t.Value.Quantity(meter.Aggregation));
    }

    public sealed record Case(IncomingEvent[] Events, MeterAggregation Aggregation, DateTimeOffset From, DateTimeOffset To, int Seed)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Aggregation} [{From:HH:mm}, {To:HH:mm}) seed {Seed}: {string.Join(" ", Events.Select(e => $"{e.Type}@{e.Time:HH:mm:ss}{e.DataJson}"))}");
    }
}
