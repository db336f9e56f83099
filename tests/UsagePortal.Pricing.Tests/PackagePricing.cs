namespace UsagePortal.Pricing.Tests;

public class PackagePricing
{
    [Fact]
    public void ChargesEveryStartedPackage()
    {
        var result = Build.Package(amount: 5, size: 10).Price(121m);

        Assert.Equal(13 * 5m, result.Amount);
        var row = Assert.Single(result.Breakdown);
        Assert.Equal(13, row.PackageCount);
    }

    [Fact]
    public void ChargesAnExactMultipleWithoutAnExtraPackage() =>
        Assert.Equal(12 * 5m, Build.Package(amount: 5, size: 10).Price(120m).Amount);

    [Fact]
    public void SubtractsFreeUnitsBeforeCountingPackages()
    {
        var result = Build.Package(amount: 5, size: 10, freeUnits: 5).Price(125m);

        Assert.Equal(12 * 5m, result.Amount);
        Assert.Equal(5m, result.Breakdown.Single(r => r.Kind == BreakdownKind.Free).Units);
        Assert.Equal(120m, result.Breakdown.Single(r => r.Kind == BreakdownKind.Packages).Units);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void CostsNothingWhileUsageStaysWithinTheFreeUnits(int units) =>
        Assert.Equal(0m, Build.Package(amount: 5, size: 10, freeUnits: 5).Price(units).Amount);

    [Fact]
    public void CountsAFractionOfAUnitAboveTheFreeUnitsAsAStartedPackage() =>
        Assert.Equal(5m, Build.Package(amount: 5, size: 10, freeUnits: 5).Price(5.01m).Amount);

    [Fact]
    public void CountsFractionalPackageSizesExactly()
    {
        var strategy = Build.Package(amount: 1, size: 0.3m);

        Assert.Equal(3m, strategy.Price(0.9m).Amount);
        Assert.Equal(4m, strategy.Price(0.9000001m).Amount);
    }
}
