namespace UsagePortal.Pricing.Tests;

public class StandardPricing
{
    [Fact]
    public void MultipliesUnitsByTheUnitAmountWithoutRounding()
    {
        var strategy = PricingStrategyFactory.Create(new StandardProperties(0.0015m));

        var result = strategy.Price(1001m);

        Assert.Equal(1.5015m, result.Amount);
        var row = Assert.Single(result.Breakdown);
        Assert.Equal(BreakdownKind.Units, row.Kind);
        Assert.Equal(1001m, row.Units);
        Assert.Equal(0.0015m, row.PerUnitAmount);
    }

    [Fact]
    public void ChargesNothingForZeroUnits() =>
        Assert.Equal(0m, PricingStrategyFactory.Create(new StandardProperties(3m)).Price(0m).Amount);

    [Fact]
    public void RefusesNegativeUnits() =>
        Assert.Throws<ArgumentException>(() => PricingStrategyFactory.Create(new StandardProperties(3m)).Price(-1m));
}
