namespace UsagePortal.Metering;

/// <summary>
/// The value that wins a <c>latest</c> meter: the one with the latest event time, ties broken by the larger
/// sequence (the storage order of the event), then by the larger value, so that the winner never depends on
/// the order partial aggregates are merged in.
/// </summary>
/// <param name="Value">The event's value.</param>
/// <param name="Time">The event's time.</param>
/// <param name="Sequence">A number that orders events stored at the same time, such as the event row's id.</param>
public readonly record struct LatestValue(decimal Value, DateTimeOffset Time, long Sequence)
{
    /// <summary>True when this value beats <paramref name="other"/>.</summary>
    public bool IsLaterThan(LatestValue other)
    {
        var byTime = Time.UtcTicks.CompareTo(other.Time.UtcTicks);
        if (byTime != 0)
        {
            return byTime > 0;
        }

        return Sequence != other.Sequence ? Sequence > other.Sequence : Value > other.Value;
    }
}

/// <summary>
/// A mergeable partial aggregate for one customer, meter, group and time bucket: what a rollup row holds.
/// <see cref="Merge"/> is associative and commutative, with <see cref="Empty"/> as identity, so buckets can be
/// combined in any grouping and order and still give the quantity of the raw events.
/// </summary>
/// <remarks>
/// Every reading updates all the scalar parts, whatever the meter's aggregation; the meter then reads the
/// part it needs through <see cref="Quantity"/>. Sums are exact while they fit decimal's 28 significant
/// digits (for example 20 integer digits with 8 decimal places), far beyond any metered quantity; past that
/// decimal addition rounds the last places, and past ±7.9e28 it throws <see cref="OverflowException"/>.
/// </remarks>
public readonly struct Aggregate : IEquatable<Aggregate>
{
    private readonly DistinctValues? distinct;

    /// <summary>Rebuilds an aggregate from its stored parts.</summary>
    public Aggregate(long count, decimal sum, decimal? max, LatestValue? latest, DistinctValues? distinct)
    {
        Count = count;
        Sum = sum;
        Max = max;
        Latest = latest;
        this.distinct = distinct is { Count: > 0 } ? distinct : null;
    }

    /// <summary>The aggregate of no events; the identity of <see cref="Merge"/>.</summary>
    public static Aggregate Empty => default;

    /// <summary>The number of readings.</summary>
    public long Count { get; }

    /// <summary>The sum of the readings' values.</summary>
    public decimal Sum { get; }

    /// <summary>The largest value; null when no reading had one.</summary>
    public decimal? Max { get; }

    /// <summary>The latest value; null when no reading had one.</summary>
    public LatestValue? Latest { get; }

    /// <summary>The distinct values of unique_count readings.</summary>
    public DistinctValues Distinct => distinct ?? DistinctValues.Empty;

    /// <summary>True when no reading went in.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>The aggregate of a single reading.</summary>
    /// <param name="reading">The reading.</param>
    /// <param name="sequence">The event's storage order, for <c>latest</c> ties (see <see cref="LatestValue"/>).</param>
    public static Aggregate Of(MeterReading reading, long sequence) => new(
        1,
        reading.Value ?? 0m,
        reading.Value,
        reading.Value is { } value ? new LatestValue(value, reading.Time, sequence) : null,
        reading.UniqueValue is { } unique ? DistinctValues.Empty.Add(unique) : null);

    /// <summary>This aggregate with one more reading.</summary>
    public Aggregate Add(MeterReading reading, long sequence) => Merge(Of(reading, sequence));

    /// <summary>Combines two partial aggregates; associative and commutative.</summary>
    public Aggregate Merge(Aggregate other) => new(
        checked(Count + other.Count),
        Sum + other.Sum,
        (Max, other.Max) switch
        {
            (null, var right) => right,
            (var left, null) => left,
            var (left, right) => Math.Max(left.Value, right.Value),
        },
        (Latest, other.Latest) switch
        {
            (null, var right) => right,
            (var left, null) => left,
            var (left, right) => left.Value.IsLaterThan(right.Value) ? left : right,
        },
        (distinct, other.distinct) switch
        {
            (null, var right) => right,
            (var left, null) => left,
            var (left, right) => left.Union(right),
        });

    /// <summary>
    /// The meter's quantity: the count, the sum, the max, the latest value or the number of distinct values.
    /// Zero when nothing contributed.
    /// </summary>
    public decimal Quantity(MeterAggregation aggregation) => aggregation switch
    {
        MeterAggregation.Count => Count,
        MeterAggregation.Sum => Sum,
        MeterAggregation.Max => Max ?? 0m,
        MeterAggregation.Latest => Latest?.Value ?? 0m,
        MeterAggregation.UniqueCount => Distinct.Count,
        _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Not a meter aggregation."),
    };

    /// <summary>Equal when every part is equal; decimals compare by value (1.0 equals 1.00), distinct values as sets.</summary>
    public bool Equals(Aggregate other) =>
        Count == other.Count
        && Sum == other.Sum
        && Max == other.Max
        && Nullable.Equals(Latest, other.Latest)
        && Distinct.Equals(other.Distinct);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Aggregate other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Count, Sum, Max, Latest, Distinct);

    /// <inheritdoc/>
    public override string ToString() =>
        $"count={Count} sum={Sum} max={Max?.ToString() ?? "none"} latest={Latest?.ToString() ?? "none"} distinct={Distinct.Count}";

    /// <summary>Value equality.</summary>
    public static bool operator ==(Aggregate left, Aggregate right) => left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Aggregate left, Aggregate right) => !left.Equals(right);
}
