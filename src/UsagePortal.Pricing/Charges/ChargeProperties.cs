namespace UsagePortal.Pricing;

/// <summary>
/// The typed properties of one pricing model. Instances are plain data: a value built in code
/// is checked by <see cref="ChargeValidator.Validate(ChargeProperties)"/> (and by
/// <see cref="PricingStrategyFactory.Create(ChargeProperties)"/>), a value parsed from JSON by <see cref="ChargeJson"/>.
/// </summary>
public abstract record ChargeProperties
{
    /// <summary>The pricing model these properties belong to.</summary>
    public abstract ChargeModel Model { get; }
}

/// <summary><c>standard</c>: <c>units × UnitAmount</c>.</summary>
/// <param name="UnitAmount">Price of one unit; may carry sub-cent precision.</param>
public sealed record StandardProperties(decimal UnitAmount) : ChargeProperties
{
    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Standard;
}

/// <summary><c>graduated</c>: ordered <see cref="PriceRange"/>s, each band priced at its own price.</summary>
public sealed record GraduatedProperties(IReadOnlyList<PriceRange> Ranges) : ChargeProperties
{
    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Graduated;

    /// <summary>Compares the ranges by value, so a parsed and a built charge can be compared.</summary>
    public bool Equals(GraduatedProperties? other) =>
        other is not null && Ranges.SequenceEqual(other.Ranges);

    /// <inheritdoc />
    public override int GetHashCode() => SequenceHash.Of(Ranges);
}

/// <summary><c>volume</c>: ordered <see cref="PriceRange"/>s; all units priced in the one range the total falls in.</summary>
public sealed record VolumeProperties(IReadOnlyList<PriceRange> Ranges) : ChargeProperties
{
    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Volume;

    /// <summary>Compares the ranges by value.</summary>
    public bool Equals(VolumeProperties? other) =>
        other is not null && Ranges.SequenceEqual(other.Ranges);

    /// <inheritdoc />
    public override int GetHashCode() => SequenceHash.Of(Ranges);
}

/// <summary><c>package</c>: <c>ceil((units − FreeUnits) / PackageSize) × Amount</c>, nothing when no unit is paid.</summary>
/// <param name="Amount">Price of one started package.</param>
/// <param name="PackageSize">Units per package; greater than zero.</param>
/// <param name="FreeUnits">Units given for free before packages are counted (0 when absent in JSON).</param>
public sealed record PackageProperties(decimal Amount, decimal PackageSize, decimal FreeUnits = 0m) : ChargeProperties
{
    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Package;
}

/// <summary><c>percentage</c>: a percent of a summed amount; see <see cref="PercentageStrategy"/> for the exact rules.</summary>
/// <param name="Rate">Percent, not fraction: 1.3 means 1.3 %.</param>
/// <param name="FixedAmount">Fee added per paid event.</param>
/// <param name="FreeUnitsPerEvents">The first N events are free.</param>
/// <param name="FreeUnitsPerTotalAggregation">The first X of summed amount is free.</param>
/// <param name="PerTransactionMinAmount">Lower bound of each paid event's price.</param>
/// <param name="PerTransactionMaxAmount">Upper bound of each paid event's price.</param>
public sealed record PercentageProperties(
    decimal Rate,
    decimal? FixedAmount = null,
    long? FreeUnitsPerEvents = null,
    decimal? FreeUnitsPerTotalAggregation = null,
    decimal? PerTransactionMinAmount = null,
    decimal? PerTransactionMaxAmount = null) : ChargeProperties
{
    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Percentage;
}

/// <summary><c>graduated_percentage</c>: graduated bands, each contributing <c>unitsInRange × rate % + flatAmount</c>.</summary>
public sealed record GraduatedPercentageProperties(IReadOnlyList<PercentageRange> Ranges) : ChargeProperties
{
    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.GraduatedPercentage;

    /// <summary>Compares the ranges by value.</summary>
    public bool Equals(GraduatedPercentageProperties? other) =>
        other is not null && Ranges.SequenceEqual(other.Ranges);

    /// <inheritdoc />
    public override int GetHashCode() => SequenceHash.Of(Ranges);
}

internal static class SequenceHash
{
    public static int Of<T>(IEnumerable<T> items)
    {
        var hash = new HashCode();
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
