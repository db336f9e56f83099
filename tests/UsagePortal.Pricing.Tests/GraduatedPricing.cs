namespace UsagePortal.Pricing.Tests;

public class GraduatedPricing
{
    [Fact]
    public void ChargesEachTierAtItsOwnPrice()
    {
        var result = Build.Graduated(Build.SpecGraduatedRanges).Price(21m);

        Assert.Equal(163m, result.Amount);
        Assert.Collection(
            result.Breakdown,
            row => AssertRow(row, from: 0, to: 10, units: 10, amount: 102),
            row => AssertRow(row, from: 11, to: 20, units: 10, amount: 53),
            row => AssertRow(row, from: 21, to: null, units: 1, amount: 8));
    }

    [Theory]
    [InlineData("10", "102")]
    [InlineData("20", "155")]
    [InlineData("1", "12")]
    public void IncludesEachRangesTopInThatRange(string units, string expected) =>
        Assert.Equal(D(expected), Build.Graduated(Build.SpecGraduatedRanges).Price(D(units)).Amount);

    [Theory]
    [InlineData("10.5", "107.5")]
    [InlineData("10.0001", "105.0005")]
    [InlineData("20.25", "159.25")]
    public void ReachesTheNextRangeAsSoonAsUnitsExceedThePreviousTopByAnyFraction(string units, string expected)
    {
        // 10.5 = 10 × 10 + 2 (first range) + 0.5 × 5 + 3 (second range reached, flat included).
        Assert.Equal(D(expected), Build.Graduated(Build.SpecGraduatedRanges).Price(D(units)).Amount);
    }

    [Fact]
    public void ChargesTheFirstRangesFlatAmountForZeroUnits()
    {
        var result = Build.Graduated(Build.SpecGraduatedRanges).Price(0m);

        Assert.Equal(2m, result.Amount);
        AssertRow(Assert.Single(result.Breakdown), from: 0, to: 10, units: 0, amount: 2);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("5")]
    [InlineData("10")]
    [InlineData("10.5")]
    [InlineData("11")]
    [InlineData("20")]
    [InlineData("20.001")]
    [InlineData("1000")]
    public void PricesAdjacentStyleRangesLikeIntegerStyleRanges(string units)
    {
        var integerStyle = Build.Graduated(Build.SpecGraduatedRanges);
        var adjacentStyle = Build.Graduated(
            Build.Range(0, 10, 10, 2),
            Build.Range(10, 20, 5, 3),
            Build.Range(20, null, 5, 3));

        Assert.Equal(integerStyle.Price(D(units)).Amount, adjacentStyle.Price(D(units)).Amount);
    }

    [Fact]
    public void PricesFractionalAdjacentRangesByTheirBands()
    {
        var strategy = Build.Graduated(
            Build.Range(0, 0.1m, 100),
            Build.Range(0.1m, 1, 10),
            Build.Range(1, null, 1));

        // 0.1 × 100 + 0.9 × 10 + 0.5 × 1
        Assert.Equal(19.5m, strategy.Price(1.5m).Amount);
        Assert.Equal(10m, strategy.Price(0.1m).Amount);
        Assert.Equal(10.1m, strategy.Price(0.11m).Amount);
    }

    [Fact]
    public void ListsOnlyTheRangesThatWereReached()
    {
        var result = Build.Graduated(Build.SpecGraduatedRanges).Price(15m);

        Assert.Equal(2, result.Breakdown.Count);
        Assert.Equal(102m + 28m, result.Amount);
    }

    [Fact]
    public void RefusesNegativeUnits() =>
        Assert.Throws<ArgumentException>(() => Build.Graduated(Build.SpecGraduatedRanges).Price(-0.5m));

    private static void AssertRow(BreakdownRow row, decimal from, decimal? to, decimal units, decimal amount)
    {
        Assert.Equal(BreakdownKind.Range, row.Kind);
        Assert.Equal(from, row.FromValue);
        Assert.Equal(to, row.ToValue);
        Assert.Equal(units, row.Units);
        Assert.Equal(amount, row.Amount);
    }

    private static decimal D(string value) => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
}
