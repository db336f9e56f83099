namespace UsagePortal.Pricing.Tests;

public class PercentagePricing
{
    // Three events in time order; units are their sum, 600.
    private static readonly Usage ThreeEvents = Usage.OfEvents(100m, 200m, 300m);

    [Fact]
    public void ChargesTheRateAsAPercentOfTheSummedAmount()
    {
        var result = Build.Percentage(new PercentageProperties(Rate: 1.3m)).Price(1000m);

        Assert.Equal(13m, result.Amount);
    }

    [Fact]
    public void AddsTheFixedAmountForEveryPaidEvent()
    {
        var result = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m)).Price(ThreeEvents);

        Assert.Equal(6m + 1.5m, result.Amount);
        var row = Assert.Single(result.Breakdown);
        Assert.Equal(3, row.EventCount);
        Assert.Equal(1.5m, row.FlatAmount);
    }

    [Fact]
    public void PricesUnitsAndAnEventCountWhenNoAllowanceNeedsTheEvents()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m));

        Assert.False(strategy.RequiresEventValues);
        Assert.Equal(6m + 1.5m, strategy.Price(new Usage(600m, EventCount: 3)).Amount);
    }

    [Fact]
    public void ChargesNothingForZeroUnitsNotEvenTheFixedAmountWithoutPerTransactionLimits()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m));

        var result = strategy.Price(Usage.OfEvents(0m, 0m));

        Assert.Equal(0m, result.Amount);
        Assert.Empty(result.Breakdown);
    }

    [Fact]
    public void ChargesTheMinimumForEveryPaidEventOfValueZero()
    {
        // PRODUCT.md: with per-transaction bounds each paid event is priced on its own, and a paid event of value 0
        // still pays the minimum. Two events of 0: each is 0 × 1 % + 0.50 = 0.50, raised to the minimum of 2.
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m, PerTransactionMinAmount: 2m));

        var result = strategy.Price(Usage.OfEvents(0m, 0m));

        Assert.Equal(4m, result.Amount);
        var raised = Assert.Single(result.Breakdown);
        Assert.Equal((BreakdownKind.RaisedToMinimum, 2L, 0m), (raised.Kind, raised.EventCount, raised.Units));
    }

    [Fact]
    public void ChargesTheMinimumForZeroValuedEventsKnownOnlyByTheirCount()
    {
        // Values are never negative, so 0 units over 3 events means three events of 0.
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, PerTransactionMinAmount: 0.25m, PerTransactionMaxAmount: 9m));

        Assert.Equal(0.75m, strategy.Price(new Usage(0m, EventCount: 3)).Amount);
    }

    [Fact]
    public void ChargesTheMinimumForAZeroValuedEventAmongOthers()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 10, PerTransactionMinAmount: 1m));

        // 100 → 10; 0 → 0 raised to 1; 5 → 0.5 raised to 1.
        Assert.Equal(12m, strategy.Price(Usage.OfEvents(100m, 0m, 5m)).Amount);
    }

    [Fact]
    public void LeavesFreeZeroValuedEventsFreeEvenWithAMinimum()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, FreeUnitsPerEvents: 1, PerTransactionMinAmount: 2m));

        // The first event is free; the second (value 0) is paid and pays the minimum.
        Assert.Equal(2m, strategy.Price(Usage.OfEvents(0m, 0m)).Amount);
    }

    [Fact]
    public void MakesTheFirstNEventsFree()
    {
        var result = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 2))
            .Price(ThreeEvents);

        Assert.Equal(3m + 0.5m, result.Amount);
        var free = result.Breakdown.Single(r => r.Kind == BreakdownKind.Free);
        Assert.Equal(2, free.EventCount);
        Assert.Equal(300m, free.Units);
    }

    [Fact]
    public void KeepsEventsFreeWhileTheRunningTotalStaysBelowTheFreeAmount()
    {
        var result = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m, FreeUnitsPerTotalAggregation: 250m))
            .Price(ThreeEvents);

        // Event 1 (running 100) is free; event 2 crosses 250: paid, but only 50 of it is rated;
        // event 3 is paid in full. Rated 350 → 3.5, plus two fixed fees.
        Assert.Equal(3.5m + 1m, result.Amount);
        var free = result.Breakdown.Single(r => r.Kind == BreakdownKind.Free);
        Assert.Equal(1, free.EventCount);
        Assert.Equal(250m, free.Units);
        var rated = result.Breakdown.Single(r => r.Kind == BreakdownKind.Rated);
        Assert.Equal(2, rated.EventCount);
        Assert.Equal(350m, rated.Units);
    }

    [Fact]
    public void MakesAnEventThatLandsExactlyOnTheFreeAmountAPaidEvent()
    {
        var result = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m, FreeUnitsPerTotalAggregation: 300m))
            .Price(ThreeEvents);

        // Running total after event 2 is 300: not strictly below the allowance, so event 2 pays its
        // fixed fee, with 0 rated; event 3 is rated in full.
        Assert.Equal(3m + 1m, result.Amount);
        Assert.Equal(2, result.Breakdown.Single(r => r.Kind == BreakdownKind.Rated).EventCount);
    }

    [Fact]
    public void LetsTheEventAllowanceWinWhenItFreesLessThanTheAmountAllowance()
    {
        // First event = 100 free, below the 250 amount allowance: the smaller free amount (100) wins,
        // so event 2 is paid in full (no crossing).
        var result = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 1, FreeUnitsPerTotalAggregation: 250m))
            .Price(ThreeEvents);

        Assert.Equal(5m + 1m, result.Amount);
        Assert.Equal(100m, result.Breakdown.Single(r => r.Kind == BreakdownKind.Free).Units);
    }

    [Fact]
    public void LetsTheAmountAllowanceWinWhenItFreesLessThanTheEventAllowance()
    {
        // Three free events would free 600; the 250 amount allowance is smaller and wins.
        var result = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 3, FreeUnitsPerTotalAggregation: 250m))
            .Price(ThreeEvents);

        Assert.Equal(3.5m + 1m, result.Amount);
        Assert.Equal(250m, result.Breakdown.Single(r => r.Kind == BreakdownKind.Free).Units);
    }

    [Fact]
    public void TreatsAnEventAllowanceOfZeroAsNoneSoTheAmountAllowanceStillApplies()
    {
        // PRODUCT.md: an allowance of 0 means none, exactly like an unset one. With only the 250 amount allowance:
        // event 1 (100) is free, event 2 crosses 250 and 50 of it is rated, event 3 is paid in full.
        var withZero = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 0, FreeUnitsPerTotalAggregation: 250m))
            .Price(ThreeEvents);
        var unset = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m, FreeUnitsPerTotalAggregation: 250m))
            .Price(ThreeEvents);

        Assert.Equal(3.5m + 1m, withZero.Amount);
        Assert.Equal(unset.Amount, withZero.Amount);
    }

    [Fact]
    public void TreatsAnAmountAllowanceOfZeroAsNoneSoTheEventAllowanceStillApplies()
    {
        // Before: freeUnitsPerTotalAggregation "0" made every event paid, cancelling the two free events.
        var withZero = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 2, FreeUnitsPerTotalAggregation: 0m))
            .Price(ThreeEvents);

        Assert.Equal(3m + 0.5m, withZero.Amount);
        Assert.Equal(2, withZero.Breakdown.Single(r => r.Kind == BreakdownKind.Free).EventCount);
    }

    [Fact]
    public void TreatsBothAllowancesOfZeroAsNoAllowanceAtAll()
    {
        var result = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 0, FreeUnitsPerTotalAggregation: 0m))
            .Price(new Usage(600m, EventCount: 3));

        Assert.Equal(6m + 1.5m, result.Amount);
        Assert.DoesNotContain(result.Breakdown, r => r.Kind == BreakdownKind.Free);
    }

    [Fact]
    public void ClampsEachPaidEventIncludingItsFixedAmountToTheMinimumAndMaximum()
    {
        var result = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, PerTransactionMinAmount: 2m, PerTransactionMaxAmount: 2.8m))
            .Price(ThreeEvents);

        // Events alone: 1.5 → raised to 2; 2.5 stays; 3.5 → capped at 2.8.
        Assert.Equal(2m + 2.5m + 2.8m, result.Amount);
        Assert.Equal(2m, result.Breakdown.Single(r => r.Kind == BreakdownKind.RaisedToMinimum).Amount);
        Assert.Equal(2.5m, result.Breakdown.Single(r => r.Kind == BreakdownKind.Rated).Amount);
        Assert.Equal(2.8m, result.Breakdown.Single(r => r.Kind == BreakdownKind.CappedAtMaximum).Amount);
    }

    [Fact]
    public void ChargesNothingForFreeEventsEvenWithAMinimum()
    {
        var result = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerEvents: 2, PerTransactionMinAmount: 5m))
            .Price(ThreeEvents);

        Assert.Equal(5m, result.Amount);
    }

    [Fact]
    public void NeverAppliesTheMinimumWithoutEvents()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, FixedAmount: 0.5m, PerTransactionMinAmount: 5m));

        Assert.Equal(0m, strategy.Price(Usage.OfEvents()).Amount);
        Assert.Equal(0m, strategy.Price(0m).Amount);
    }

    [Fact]
    public void PricesOnlyTheCrossingEventsPartAboveTheAllowanceBeforeClamping()
    {
        var result = Build.Percentage(new PercentageProperties(
                Rate: 1, FixedAmount: 0.5m, FreeUnitsPerTotalAggregation: 250m, PerTransactionMinAmount: 1.2m))
            .Price(ThreeEvents);

        // Event 2 is priced on 50 (0.5 + 0.5 = 1.0 → raised to 1.2); on its full 200 it would be 2.5.
        Assert.Equal(1.2m + 3.5m, result.Amount);
    }

    [Fact]
    public void NeedsEventValuesWhenAllowancesOrLimitsAreSet()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1, FreeUnitsPerEvents: 2));

        Assert.True(strategy.RequiresEventValues);
        var error = Assert.Single(strategy.ValidateUsage(new Usage(600m, 3)));
        Assert.Equal("eventValues", error.Field);
        Assert.Throws<ArgumentException>(() => strategy.Price(new Usage(600m, 3)));
    }

    [Fact]
    public void RefusesEventValuesThatDisagreeWithUnitsOrCount()
    {
        var strategy = Build.Percentage(new PercentageProperties(Rate: 1));

        var errors = strategy.ValidateUsage(new Usage(500m, 2, [100m, -200m, 300m]));

        Assert.Equal(["eventValues[1]", "eventCount", "units"], errors.Select(e => e.Field));
    }
}
