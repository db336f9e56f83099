using System.Collections;
using System.Collections.Immutable;

namespace UsagePortal.Metering;

/// <summary>
/// An immutable set of value texts for unique_count meters. A distinct count cannot be merged from partial
/// counts (the same user may appear in two hours), so partial aggregates carry the values themselves and
/// the quantity is the size of their union: exact, at the cost of storing each distinct value once per bucket.
/// </summary>
public sealed class DistinctValues : IReadOnlyCollection<string>, IEquatable<DistinctValues>
{
    private readonly ImmutableHashSet<string> values;

    private DistinctValues(ImmutableHashSet<string> values) => this.values = values;

    /// <summary>No values.</summary>
    public static DistinctValues Empty { get; } = new(ImmutableHashSet.Create<string>(StringComparer.Ordinal));

    /// <summary>The number of distinct values: the unique_count quantity.</summary>
    public int Count => values.Count;

    /// <summary>A set of the given values (compared ordinally).</summary>
    public static DistinctValues Of(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(Empty.values.Union(values));
    }

    /// <summary>This set plus one value.</summary>
    public DistinctValues Add(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var added = values.Add(value);
        return ReferenceEquals(added, values) ? this : new DistinctValues(added);
    }

    /// <summary>The union of two sets.</summary>
    public DistinctValues Union(DistinctValues other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return this;
        }

        if (Count == 0)
        {
            return other;
        }

        // Folding the smaller set into the larger one is the cheaper direction.
        var (large, small) = Count >= other.Count ? (this, other) : (other, this);
        var union = large.values.Union(small.values);
        return ReferenceEquals(union, large.values) ? large : new DistinctValues(union);
    }

    /// <summary>True when the value is in the set.</summary>
    public bool Contains(string value) => values.Contains(value);

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Set equality: the same values, in any order.</summary>
    public bool Equals(DistinctValues? other) =>
        other is not null && (ReferenceEquals(this, other) || (Count == other.Count && values.SetEquals(other.values)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DistinctValues);

    /// <summary>An order-independent hash of the values.</summary>
    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var value in values)
        {
            hash ^= StringComparer.Ordinal.GetHashCode(value);
        }

        return HashCode.Combine(Count, hash);
    }
}
