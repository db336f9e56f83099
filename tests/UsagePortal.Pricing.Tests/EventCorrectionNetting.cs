namespace UsagePortal.Pricing.Tests;

/// <summary>Negative values of a summed meter are corrections: netted against earlier events, never priced below 0.</summary>
public class EventCorrectionNetting
{
    [Fact]
    public void LeavesValuesWithoutCorrectionsAsTheyAre()
    {
        IReadOnlyList<decimal> values = [1m, 0m, 2.5m];

        Assert.Same(values, EventCorrections.Net(values));
    }

    [Fact]
    public void TakesACorrectionFromTheMostRecentEventsFirst()
    {
        Assert.Equal([10m, 5m, 0m], EventCorrections.Net([10m, 20m, 5m, -5m, -15m]));
    }

    [Fact]
    public void TakesWhatEarlierEventsCannotCoverFromTheNextEvents()
    {
        Assert.Equal([0m, 0m, 3m], EventCorrections.Net([-4m, 1m, 2m, 4m]));
    }

    [Fact]
    public void NeverGoesBelowZeroInTotal()
    {
        var netted = EventCorrections.Net([1m, -5m]);

        Assert.Equal([0m], netted);
        Assert.Equal(0m, EventCorrections.PricedQuantity(-4m));
    }

    [Fact]
    public void SumsToThePeriodsPricedQuantity()
    {
        decimal[] values = [3m, -1m, 7m, -20m, 2m, 30m, -0.5m];

        Assert.Equal(EventCorrections.PricedQuantity(values.Sum()), EventCorrections.Net(values).Sum());
    }

    [Fact]
    public void LetsACorrectedPercentageChargePayNoFixedFeeForTheCorrection()
    {
        var charge = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m));

        // Two transactions of 100 and a refund of 40: 160 × 1 % + two fees; the refund is not a transaction.
        Assert.Equal(1.6m + 1m, charge.Price(Usage.OfEvents(EventCorrections.Net([100m, 100m, -40m]))).Amount);
    }
}
