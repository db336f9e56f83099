namespace UsagePortal.Pricing;

/// <summary>
/// <c>graduated_percentage</c>: the bands of <see cref="GraduatedStrategy"/>, each reached range
/// contributing <c>unitsInRange × rate / 100 + flatAmount</c> (the first range's flat amount is due
/// even with 0 units, as in graduated).
/// </summary>
public sealed class GraduatedPercentageStrategy : PricingStrategy
{
    private readonly GraduatedPercentageProperties properties;

    internal GraduatedPercentageStrategy(GraduatedPercentageProperties properties) => this.properties = properties;

    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.GraduatedPercentage;

    /// <inheritdoc />
    protected override PriceResult Compute(Usage usage) => PriceResult.FromRows(
    [
        .. Bands.Reached(properties.Ranges, usage.Units).Select(band => new BreakdownRow
        {
            Kind = BreakdownKind.Range,
            FromValue = band.Range.FromValue,
            ToValue = band.Range.ToValue,
            Units = band.UnitsInRange,
            Rate = band.Range.Rate,
            FlatAmount = band.Range.FlatAmount,
            Amount = band.UnitsInRange * band.Range.Rate / 100m + band.Range.FlatAmount,
        }),
    ]);
}
