namespace UsagePortal.Pricing.Tests;

public class VolumePricing
{
    private static readonly PricingStrategy Strategy = Build.Volume(
        Build.Range(0, 100, 2, 10),
        Build.Range(101, 200, 1.5m, 20),
        Build.Range(201, null, 1, 30));

    [Fact]
    public void PricesAllUnitsAtTheRangeTheTotalFallsIn()
    {
        var result = Strategy.Price(150m);

        Assert.Equal(150m * 1.5m + 20m, result.Amount);
        var row = Assert.Single(result.Breakdown);
        Assert.Equal(101m, row.FromValue);
        Assert.Equal(200m, row.ToValue);
        Assert.Equal(150m, row.Units);
    }

    [Fact]
    public void KeepsATotalEqualToARangesTopInThatRange() =>
        Assert.Equal(100m * 2m + 10m, Strategy.Price(100m).Amount);

    [Fact]
    public void PutsAFractionalTotalBetweenTwoRangesInTheUpperOne() =>
        Assert.Equal(100.5m * 1.5m + 20m, Strategy.Price(100.5m).Amount);

    [Fact]
    public void ChargesTheFirstRangesFlatAmountForZeroUnits()
    {
        var result = Strategy.Price(0m);

        Assert.Equal(10m, result.Amount);
        Assert.Equal(0m, Assert.Single(result.Breakdown).FromValue);
    }

    [Fact]
    public void PricesEverythingAboveTheLastTopInTheUnboundedRange() =>
        Assert.Equal(1_000_000m + 30m, Strategy.Price(1_000_000m).Amount);
}
