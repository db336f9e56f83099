namespace UsagePortal.Pricing;

/// <summary>
/// The bounds shared by every kind of range. A range covers the band
/// (previous range's <see cref="ToValue"/>, own <see cref="ToValue"/>], the first from 0;
/// <see cref="FromValue"/> only records how the operator wrote it (integer style 0–10, 11–20
/// or adjacent style 0–0.1, 0.1–1, which mean the same bands).
/// </summary>
public interface IRange
{
    /// <summary>Where the operator wrote the range to start.</summary>
    decimal FromValue { get; }

    /// <summary>Inclusive top of the band; <c>null</c> means unbounded (last range only).</summary>
    decimal? ToValue { get; }

    /// <summary>Added once when the range is reached.</summary>
    decimal FlatAmount { get; }
}

/// <summary>A range of the <c>graduated</c> and <c>volume</c> models.</summary>
/// <param name="FromValue">Where the operator wrote the range to start.</param>
/// <param name="ToValue">Inclusive top; <c>null</c> = unbounded.</param>
/// <param name="PerUnitAmount">Price of each unit in the range.</param>
/// <param name="FlatAmount">Added once when the range is reached (0 when absent in JSON).</param>
public sealed record PriceRange(decimal FromValue, decimal? ToValue, decimal PerUnitAmount, decimal FlatAmount = 0m) : IRange;

/// <summary>A range of the <c>graduated_percentage</c> model.</summary>
/// <param name="FromValue">Where the operator wrote the range to start.</param>
/// <param name="ToValue">Inclusive top; <c>null</c> = unbounded.</param>
/// <param name="Rate">Percent applied to the units in the range (1.3 = 1.3 %).</param>
/// <param name="FlatAmount">Added once when the range is reached (0 when absent in JSON).</param>
public sealed record PercentageRange(decimal FromValue, decimal? ToValue, decimal Rate, decimal FlatAmount = 0m) : IRange;
