namespace UsagePortal.Pricing.Tests;

public class GraduatedPercentagePricing
{
    private static readonly PricingStrategy Strategy = PricingStrategyFactory.Create(new GraduatedPercentageProperties(
    [
        new PercentageRange(0, 1000, 2, 0.5m),
        new PercentageRange(1000, 5000, 1, 1),
        new PercentageRange(5000, null, 0.5m, 0),
    ]));

    [Fact]
    public void ChargesEachBandAtItsOwnRatePlusItsFlatAmount()
    {
        var result = Strategy.Price(6000m);

        // 1000 × 2 % + 0.5, 4000 × 1 % + 1, 1000 × 0.5 % + 0
        Assert.Equal(20.5m + 41m + 5m, result.Amount);
        Assert.Equal([2m, 1m, 0.5m], result.Breakdown.Select(r => r.Rate!.Value));
    }

    [Fact]
    public void ReachesTheNextBandWithAnyFraction() =>
        Assert.Equal(20.5m + 0.001m * 1 / 100 + 1m, Strategy.Price(1000.001m).Amount);

    [Fact]
    public void ChargesTheFirstFlatAmountForZeroUnits() =>
        Assert.Equal(0.5m, Strategy.Price(0m).Amount);
}
