namespace UsagePortal.Pricing;

/// <summary>
/// <c>graduated</c>: each unit is priced at the perUnitAmount of the band it falls in, and each
/// reached range adds its flatAmount once. Bands are (previous toValue, own toValue], the first
/// from 0, whatever style the fromValues were written in. Example: [0–10 at 10 + 2; 11–20 at 5 + 3;
/// 21–∞ at 5 + 3] with 21 units = 102 + 53 + 8 = 163. The breakdown lists reached ranges only.
/// </summary>
public sealed class GraduatedStrategy : PricingStrategy
{
    private readonly GraduatedProperties properties;

    internal GraduatedStrategy(GraduatedProperties properties) => this.properties = properties;

    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Graduated;

    /// <inheritdoc />
    protected override PriceResult Compute(Usage usage) => PriceResult.FromRows(
    [
        .. Bands.Reached(properties.Ranges, usage.Units).Select(band => new BreakdownRow
        {
            Kind = BreakdownKind.Range,
            FromValue = band.Range.FromValue,
            ToValue = band.Range.ToValue,
            Units = band.UnitsInRange,
            PerUnitAmount = band.Range.PerUnitAmount,
            FlatAmount = band.Range.FlatAmount,
            Amount = band.UnitsInRange * band.Range.PerUnitAmount + band.Range.FlatAmount,
        }),
    ]);
}
