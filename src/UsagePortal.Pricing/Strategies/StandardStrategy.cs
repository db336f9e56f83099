namespace UsagePortal.Pricing;

/// <summary><c>standard</c>: <c>units × unitAmount</c>.</summary>
public sealed class StandardStrategy : PricingStrategy
{
    private readonly StandardProperties properties;

    internal StandardStrategy(StandardProperties properties) => this.properties = properties;

    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Standard;

    /// <inheritdoc />
    protected override PriceResult Compute(Usage usage) => PriceResult.FromRows(
    [
        new BreakdownRow
        {
            Kind = BreakdownKind.Units,
            Units = usage.Units,
            PerUnitAmount = properties.UnitAmount,
            Amount = usage.Units * properties.UnitAmount,
        },
    ]);
}
