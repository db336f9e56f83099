using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Pricing.Tests;

public class PricingProperties
{
    [Fact]
    public void GraduatedAndVolumeAmountsAreNeverNegative() =>
        Prop.ForAll(Generators.RangesWithUnits.ToArbitrary(), input =>
        {
            var (ranges, units) = input;
            Assert.True(Build.Graduated(ranges).Price(units).Amount >= 0);
            Assert.True(Build.Volume(ranges).Price(units).Amount >= 0);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void GraduatedAmountNeverDecreasesAsUnitsGrow() =>
        Prop.ForAll(Generators.Ranges.SelectMany(r => Generators.UnitsNearTops(r).Two().Select(u => (r, u))).ToArbitrary(), input =>
        {
            var (ranges, (a, b)) = input;
            var strategy = Build.Graduated(ranges);
            var (fewer, more) = (Math.Min(a, b), Math.Max(a, b));
            Assert.True(strategy.Price(fewer).Amount <= strategy.Price(more).Amount, $"{fewer} units cost more than {more}");
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void GraduatedMatchesAUnitByUnitReference() =>
        Prop.ForAll(Generators.IntegerRangesWithUnits.ToArbitrary(), input =>
        {
            var (ranges, units) = input;
            Assert.Equal(UnitByUnit(ranges, units), Build.Graduated(ranges).Price(units).Amount);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void VolumePricesEveryUnitInTheOneRangeWhoseBandHoldsTheTotal() =>
        Prop.ForAll(Generators.RangesWithUnits.ToArbitrary(), input =>
        {
            var (ranges, units) = input;
            var result = Build.Volume(ranges).Price(units);

            var row = Assert.Single(result.Breakdown);
            var index = Array.FindIndex(ranges, r => r.FromValue == row.FromValue && r.ToValue == row.ToValue);
            var range = ranges[index];
            Assert.True(range.ToValue is not { } top || units <= top, "units above the selected range");
            Assert.True(index == 0 || units > ranges[index - 1].ToValue, "units fit an earlier range");
            Assert.Equal(units * range.PerUnitAmount + range.FlatAmount, result.Amount);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void BreakdownRowsAddUpToTheAmount()
    {
        Prop.ForAll(Generators.RangesWithUnits.ToArbitrary(), input =>
        {
            var (ranges, units) = input;
            AssertRowsAddUp(Build.Graduated(ranges).Price(units));
            AssertRowsAddUp(Build.Volume(ranges).Price(units));
            AssertRowsAddUp(Build.Package(ranges[0].PerUnitAmount, 0.5m + ranges[0].FlatAmount, ranges[^1].FlatAmount).Price(units));
        }).QuickCheckThrowOnFailure();

        Prop.ForAll(Generators.AnyPercentage.Zip(Generators.EventValues).ToArbitrary(), input =>
        {
            var (properties, values) = input;
            AssertRowsAddUp(Build.Percentage(properties).Price(Usage.OfEvents(values)));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void PercentageRatesEverythingButTheSmallerFreeAmount() =>
        Prop.ForAll(Generators.PercentageWithAllowances.Zip(Generators.EventValues).ToArbitrary(), input =>
        {
            var (properties, values) = input;
            var units = values.Sum();
            // An allowance of 0 is no allowance (PRODUCT.md), like an unset one.
            var freeByEvents = properties.FreeUnitsPerEvents is { } n and > 0 ? values.Take((int)n).Sum() : decimal.MaxValue;
            var freeByAmount = properties.FreeUnitsPerTotalAggregation is { } x and > 0m ? x : decimal.MaxValue;
            // Neither allowance set (the generator can draw that too): nothing is free.
            var free = freeByEvents == decimal.MaxValue && freeByAmount == decimal.MaxValue ? 0m : Math.Min(units, Math.Min(freeByEvents, freeByAmount));

            var result = Build.Percentage(properties).Price(Usage.OfEvents(values));

            Assert.Equal((units - free) * properties.Rate / 100m, result.Amount);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void PercentageMinimumAndMaximumBoundEveryPaidEvent() =>
        Prop.ForAll(Generators.AnyPercentage.Zip(Generators.EventValues).ToArbitrary(), input =>
        {
            var (properties, values) = input;
            var result = Build.Percentage(properties).Price(Usage.OfEvents(values));
            var paidEvents = result.Breakdown.Where(r => r.Kind != BreakdownKind.Free).Sum(r => r.EventCount ?? 0);
            var limited = properties.PerTransactionMinAmount is not null || properties.PerTransactionMaxAmount is not null;

            Assert.True(paidEvents <= values.Length);
            if (limited && properties.PerTransactionMinAmount is { } min)
            {
                Assert.True(result.Amount >= paidEvents * min);
            }

            if (limited && properties.PerTransactionMaxAmount is { } max)
            {
                Assert.True(result.Amount <= paidEvents * max);
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void AnyValidGraduatedChargeSurvivesAJsonRoundTrip() =>
        Prop.ForAll(Generators.Ranges.ToArbitrary(), ranges =>
        {
            var charge = new Charge("api_calls", new GraduatedProperties(ranges));

            var parsed = ChargeJson.Parse(ChargeJson.Serialize(charge));

            Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
            Assert.Equal(charge, parsed.Charge);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void RoundingMovesAnAmountByAtMostHalfAMinorUnitAndTiesGoAwayFromZero() =>
        Prop.ForAll(Generators.ExactAmount.Zip(Gen.Elements(Generators.Currencies)).ToArbitrary(), input =>
        {
            var (amount, currency) = input;
            var rounded = currency.FromMinorUnits(currency.RoundToMinorUnits(amount));
            var halfUnit = currency.FromMinorUnits(1) / 2;
            var distance = Math.Abs(rounded - amount);

            Assert.True(distance <= halfUnit);
            if (distance == halfUnit)
            {
                Assert.True(Math.Abs(rounded) > Math.Abs(amount), $"{amount} {currency} rounded towards zero");
            }

            Assert.Equal(-currency.RoundToMinorUnits(amount), currency.RoundToMinorUnits(-amount));
        }).QuickCheckThrowOnFailure();

    private static void AssertRowsAddUp(PriceResult result) =>
        Assert.Equal(result.Amount, result.Breakdown.Sum(r => r.Amount));

    /// <summary>
    /// Prices integer units one at a time: unit k belongs to the range whose band (previous top, top]
    /// contains k; every range whose band was entered, and the first range always, adds its flat amount.
    /// </summary>
    private static decimal UnitByUnit(PriceRange[] ranges, int units)
    {
        var total = ranges[0].FlatAmount;
        var entered = new HashSet<int> { 0 };
        for (var unit = 1; unit <= units; unit++)
        {
            var index = Array.FindIndex(ranges, r => r.ToValue is not { } top || unit <= top);
            total += ranges[index].PerUnitAmount;
            if (entered.Add(index))
            {
                total += ranges[index].FlatAmount;
            }
        }

        return total;
    }
}
