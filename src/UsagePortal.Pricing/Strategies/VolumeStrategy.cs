namespace UsagePortal.Pricing;

/// <summary>
/// <c>volume</c>: every unit is priced in one range, the first whose toValue is null or ≥ units
/// (tops are inclusive), so a fractional total between two integer-style ranges (100.5 with
/// 0–100 / 101–200) belongs to the upper one. Amount = units × perUnitAmount + flatAmount;
/// 0 units select the first range, whose flat amount is charged.
/// </summary>
public sealed class VolumeStrategy : PricingStrategy
{
    private readonly VolumeProperties properties;

    internal VolumeStrategy(VolumeProperties properties) => this.properties = properties;

    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Volume;

    /// <inheritdoc />
    protected override PriceResult Compute(Usage usage)
    {
        // Validation guarantees an unbounded last range, so First always finds one.
        var range = properties.Ranges.First(r => r.ToValue is not { } top || usage.Units <= top);
        return PriceResult.FromRows(
        [
            new BreakdownRow
            {
                Kind = BreakdownKind.Range,
                FromValue = range.FromValue,
                ToValue = range.ToValue,
                Units = usage.Units,
                PerUnitAmount = range.PerUnitAmount,
                FlatAmount = range.FlatAmount,
                Amount = usage.Units * range.PerUnitAmount + range.FlatAmount,
            },
        ]);
    }
}
