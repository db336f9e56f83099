namespace UsagePortal.Metering.Tests;

public class AggregateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static MeterReading Value(decimal value, int minute = 0, string group = "") =>
        new(group, T0.AddMinutes(minute), value, null);

    private static MeterReading Unique(string value) => new("", T0, null, value);

    private static Aggregate Fold(params MeterReading[] readings)
    {
        var aggregate = Aggregate.Empty;
        for (var i = 0; i < readings.Length; i++)
        {
            aggregate = aggregate.Add(readings[i], i);
        }

        return aggregate;
    }

    [Fact]
    public void CountCountsReadings()
    {
        var aggregate = Fold(new MeterReading("", T0, null, null), new MeterReading("", T0, null, null));

        Assert.Equal(2m, aggregate.Quantity(MeterAggregation.Count));
    }

    [Fact]
    public void SumAddsValuesExactly()
    {
        var aggregate = Fold(Value(0.1m), Value(0.2m));

        Assert.Equal(0.3m, aggregate.Quantity(MeterAggregation.Sum));
        Assert.Equal("0.3", aggregate.Sum.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SumOfDecimalsReadFromEventsIsExact()
    {
        var evaluator = new MeterEvaluator(MeterFixtures.Define(MeterAggregation.Sum, "amount"));
        var aggregate = Aggregate.Empty;
        for (var i = 0; i < 10; i++)
        {
            Assert.True(evaluator.TryEvaluate(MeterFixtures.Event("""{"amount":0.1}"""), out var reading));
            aggregate = aggregate.Add(reading, i);
        }

        Assert.Equal(1m, aggregate.Sum);
        Assert.NotEqual(1.0, Enumerable.Repeat(0.1, 10).Sum());
    }

    [Fact]
    public void SumKeepsBigValuesExact()
    {
        var aggregate = Fold(Value(9999999999999999999.99999999m), Value(0.00000001m), Value(1234567890.12345678m));

        Assert.Equal(10000000001234567890.12345678m, aggregate.Sum);
    }

    [Fact]
    public void ASumBeyondDecimalRangeThrowsRatherThanRounding()
    {
        var huge = Fold(Value(decimal.MaxValue));

        Assert.Throws<OverflowException>(() => huge.Merge(huge));
    }

    [Fact]
    public void MaxIsTheLargestValue()
    {
        Assert.Equal(7.5m, Fold(Value(-3), Value(7.5m), Value(2)).Quantity(MeterAggregation.Max));
        Assert.Equal(-3m, Fold(Value(-3), Value(-4)).Quantity(MeterAggregation.Max));
    }

    [Fact]
    public void LatestIsTheValueWithTheLatestEventTimeNotTheLastArrival()
    {
        var aggregate = Fold(Value(1, minute: 5), Value(2, minute: 9), Value(3, minute: 1));

        Assert.Equal(2m, aggregate.Quantity(MeterAggregation.Latest));
        Assert.Equal(T0.AddMinutes(9), aggregate.Latest!.Value.Time);
    }

    [Fact]
    public void LatestTiesAreBrokenByTheLargerSequenceWhateverTheMergeOrder()
    {
        var first = Aggregate.Of(Value(10), sequence: 7);
        var second = Aggregate.Of(Value(20), sequence: 8);

        Assert.Equal(20m, first.Merge(second).Quantity(MeterAggregation.Latest));
        Assert.Equal(20m, second.Merge(first).Quantity(MeterAggregation.Latest));
    }

    [Fact]
    public void ALaterTimeBeatsALargerSequence()
    {
        var late = Aggregate.Of(Value(1, minute: 2), sequence: 1);
        var stored = Aggregate.Of(Value(2, minute: 1), sequence: 99);

        Assert.Equal(1m, late.Merge(stored).Quantity(MeterAggregation.Latest));
        Assert.Equal(1m, stored.Merge(late).Quantity(MeterAggregation.Latest));
    }

    [Fact]
    public void UniqueCountCountsDistinctValuesAcrossMerges()
    {
        var hourOne = Fold(Unique("u1"), Unique("u2"), Unique("u1"));
        var hourTwo = Fold(Unique("u2"), Unique("u3"));

        Assert.Equal(2m, hourOne.Quantity(MeterAggregation.UniqueCount));
        Assert.Equal(3m, hourOne.Merge(hourTwo).Quantity(MeterAggregation.UniqueCount));
        Assert.Equal(5, hourOne.Merge(hourTwo).Count);
    }

    [Fact]
    public void DistinctValuesAreASetComparedWithoutRegardToOrder()
    {
        var one = DistinctValues.Of(["a", "b", "c"]);
        var other = DistinctValues.Empty.Add("c").Add("a").Add("b").Add("a");

        Assert.Equal(3, other.Count);
        Assert.Equal(one, other);
        Assert.Equal(one.GetHashCode(), other.GetHashCode());
        Assert.Equal(4, one.Union(DistinctValues.Of(["A"])).Count);
    }

    [Fact]
    public void AnEmptyAggregateHasZeroForEveryQuantity()
    {
        foreach (var aggregation in Enum.GetValues<MeterAggregation>())
        {
            Assert.Equal(0m, Aggregate.Empty.Quantity(aggregation));
        }

        Assert.True(Aggregate.Empty.IsEmpty);
    }

    [Fact]
    public void EqualityComparesDecimalsByValue()
    {
        Assert.Equal(Fold(Value(1.0m)), Fold(Value(1.00m)));
        Assert.NotEqual(Fold(Value(1m)), Fold(Value(2m)));
    }

    [Fact]
    public void AnAggregateRebuiltFromItsPartsEqualsTheOriginal()
    {
        var original = Fold(Value(3, minute: 1), Value(5, minute: 2), Unique("x"));

        var rebuilt = new Aggregate(original.Count, original.Sum, original.Max, original.Latest, original.Distinct);

        Assert.Equal(original, rebuilt);
        Assert.True(original == rebuilt);
    }
}
