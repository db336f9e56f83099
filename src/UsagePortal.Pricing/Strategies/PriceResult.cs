namespace UsagePortal.Pricing;

/// <summary>
/// The exact price of a charge: an unrounded amount (rounding happens once, on the invoice line)
/// and the rows it is made of. The rows' <see cref="BreakdownRow.Amount"/>s add up to <see cref="Amount"/>.
/// </summary>
public sealed record PriceResult(decimal Amount, IReadOnlyList<BreakdownRow> Breakdown)
{
    /// <summary>Nothing to pay and nothing to show.</summary>
    public static PriceResult Zero { get; } = new(0m, []);

    /// <summary>A result whose amount is the sum of its rows.</summary>
    public static PriceResult FromRows(IReadOnlyList<BreakdownRow> rows) => new(rows.Sum(r => r.Amount), rows);
}

/// <summary>What a breakdown row stands for.</summary>
public enum BreakdownKind
{
    /// <summary><c>standard</c>: Units × PerUnitAmount.</summary>
    Units,

    /// <summary>A reached range of a graduated, volume or graduated_percentage charge.</summary>
    Range,

    /// <summary>Free units or free events; Amount is 0.</summary>
    Free,

    /// <summary>Package: PackageCount started packages at PerUnitAmount each (the price of one package).</summary>
    Packages,

    /// <summary>Percentage: paid events, Units × Rate % + FlatAmount (EventCount × fixedAmount).</summary>
    Rated,

    /// <summary>Percentage: paid events priced below perTransactionMinAmount; Amount = EventCount × the minimum.</summary>
    RaisedToMinimum,

    /// <summary>Percentage: paid events priced above perTransactionMaxAmount; Amount = EventCount × the maximum.</summary>
    CappedAtMaximum,
}

/// <summary>One row of a price breakdown; fields a row kind does not use are <c>null</c>.</summary>
public sealed record BreakdownRow
{
    /// <summary>What the row stands for.</summary>
    public required BreakdownKind Kind { get; init; }

    /// <summary>The range's fromValue as configured (range rows only).</summary>
    public decimal? FromValue { get; init; }

    /// <summary>The range's toValue as configured; <c>null</c> for an unbounded range or a non-range row.</summary>
    public decimal? ToValue { get; init; }

    /// <summary>Units in this row (for percentage rows: the part of the summed amount the row covers).</summary>
    public required decimal Units { get; init; }

    /// <summary>Price per unit (per package for <see cref="BreakdownKind.Packages"/> rows).</summary>
    public decimal? PerUnitAmount { get; init; }

    /// <summary>Percent applied (1.3 = 1.3 %), for percentage rows.</summary>
    public decimal? Rate { get; init; }

    /// <summary>Flat part of the row: a range's flat amount, or fixed fees of paid events.</summary>
    public decimal FlatAmount { get; init; }

    /// <summary>Exact, unrounded amount of the row.</summary>
    public required decimal Amount { get; init; }

    /// <summary>Number of events in the row (percentage rows).</summary>
    public long? EventCount { get; init; }

    /// <summary>Number of started packages (package rows).</summary>
    public long? PackageCount { get; init; }
}
