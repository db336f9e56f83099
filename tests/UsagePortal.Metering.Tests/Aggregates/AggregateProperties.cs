using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Metering.Tests;

/// <summary>Merge laws, checked on random aggregates with many ties in time and sequence.</summary>
public class AggregateProperties
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly Gen<decimal> Decimals =
        from units in Gen.Choose(-1_000_000, 1_000_000)
        from scale in Gen.Choose(0, 4)
        select new decimal(Math.Abs(units), 0, 0, units < 0, (byte)scale);

    private static readonly Gen<(MeterReading Reading, long Sequence)> Readings =
        from value in Decimals
        from hasValue in Gen.Elements(true, true, false)
        from unique in Gen.Elements("a", "b", "c", "d", "e", null)
        from minute in Gen.Choose(0, 3)
        from sequence in Gen.Choose(0, 3)
        select (new MeterReading("", T0.AddMinutes(minute), hasValue ? value : null, unique), (long)sequence);

    private static readonly Gen<Aggregate> Aggregates =
        Gen.ArrayOf(Readings).Select(readings => readings.Aggregate(Aggregate.Empty, (sum, r) => sum.Add(r.Reading, r.Sequence)));

    [Fact]
    public void MergeIsAssociative()
    {
        var triples = from a in Aggregates from b in Aggregates from c in Aggregates select (a, b, c);

        Prop.ForAll(triples.ToArbitrary(), t => t.a.Merge(t.b).Merge(t.c) == t.a.Merge(t.b.Merge(t.c)))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void MergeIsCommutative()
    {
        var pairs = from a in Aggregates from b in Aggregates select (a, b);

        Prop.ForAll(pairs.ToArbitrary(), p => p.a.Merge(p.b) == p.b.Merge(p.a))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void EmptyIsTheIdentityOfMerge()
    {
        Prop.ForAll(Aggregates.ToArbitrary(), a => a.Merge(Aggregate.Empty) == a && Aggregate.Empty.Merge(a) == a)
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void FoldingReadingsInAnyOrderGivesTheSameAggregate()
    {
        var shuffled = from readings in Gen.ArrayOf(Readings)
                       from order in Gen.Shuffle(readings)
                       select (readings, order);

        Prop.ForAll(shuffled.ToArbitrary(), s =>
                s.readings.Aggregate(Aggregate.Empty, (sum, r) => sum.Add(r.Reading, r.Sequence))
                == s.order.Aggregate(Aggregate.Empty, (sum, r) => sum.Add(r.Reading, r.Sequence)))
            .QuickCheckThrowOnFailure();
    }
}
