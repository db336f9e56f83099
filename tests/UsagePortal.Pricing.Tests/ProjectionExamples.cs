namespace UsagePortal.Pricing.Tests;

/// <summary>Worked examples of <see cref="UsageProjector"/> and <see cref="ProjectedEvents"/>.</summary>
public class ProjectionExamples
{
    // 2026-03-02 and 2026-03-09 are Mondays.
    private static readonly DateOnly Monday = new(2026, 3, 9);

    [Fact]
    public void ExpectsTheRecentMeanDailyRateForEveryRemainingDayAndPartOfToday()
    {
        var history = Days(Monday, 10, 12, 8, 10, 14, 6, 10);
        // Half of Monday 16 March left, then ten whole days to the period's end: 10.5 days at 10 a day.
        var remaining = Remaining(Monday.AddDays(7), 0.5m, wholeDays: 10);

        var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

        Assert.Equal(ProjectionBasis.RecentMean, projection.Basis);
        Assert.Equal(10m, projection.DailyRate);
        Assert.Equal(105m, projection.Expected);
        Assert.Equal(5m, projection.Days[0].Expected);
        // σ = √(40 / 6) = 2.58199; the rate is the mean of 7 days, so its error adds 10.5² / 7 = 15.75 days' worth of
        // variance to the 10.5 days ahead: 1.2816 × σ × √26.25 = 16.95397.
        Assert.Equal(2.58199m, Math.Round(projection.StandardDeviation, 5));
        Assert.Equal(88.04603m, Math.Round(projection.Low, 5));
        Assert.Equal(121.95397m, Math.Round(projection.High, 5));
    }

    [Fact]
    public void ANonAdditiveMeterWithoutUsageYetStaysAtLastPeriodsLevelFromTheFirstDayAhead()
    {
        var remaining = Remaining(Monday, 0.5m, wholeDays: 3);

        var projection = UsageProjector.ProjectLevel(70m, remaining);

        Assert.Equal(ProjectionBasis.PreviousPeriod, projection.Basis);
        Assert.All(projection.Days, d => Assert.Equal((70m, 70m, 70m), (d.Expected, d.Low, d.High)));
        Assert.Equal(remaining.Select(d => d.Date), projection.Days.Select(d => d.Date));
        Assert.Throws<ArgumentOutOfRangeException>(() => UsageProjector.ProjectLevel(-1m, remaining));
    }

    [Fact]
    public void WithTwoOfEachWeekdayEachRemainingDayExpectsItsOwnWeekdaysMean()
    {
        // Two weeks of weekday traffic (Mondays 90 and 110, other weekdays 100) and quiet weekends.
        var history = Days(new DateOnly(2026, 3, 2), 90, 100, 100, 100, 100, 0, 0, 110, 100, 100, 100, 100, 0, 0);
        // A quarter of Friday 20 March, then Saturday, Sunday and Monday.
        var remaining = Remaining(new DateOnly(2026, 3, 20), 0.25m, wholeDays: 3);

        var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

        Assert.Equal(ProjectionBasis.WeekdayMeans, projection.Basis);
        Assert.Equal([25m, 25m, 25m, 125m], projection.Days.Select(d => d.Expected));
        Assert.Equal(125m, projection.Expected);
    }

    [Fact]
    public void WithFewerThanFourteenDaysTheWeekendsAreAveragedIn()
    {
        // The same history without its first Monday: 13 days, 910 in all, 70 a day.
        var history = Days(new DateOnly(2026, 3, 3), 100, 100, 100, 100, 0, 0, 110, 100, 100, 100, 100, 0, 0);
        var remaining = Remaining(new DateOnly(2026, 3, 20), 0.25m, wholeDays: 3);

        var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

        Assert.Equal(ProjectionBasis.RecentMean, projection.Basis);
        Assert.Equal(70m, projection.DailyRate);
        Assert.Equal(227.5m, projection.Expected);
    }

    [Fact]
    public void UsesOnlyTheMostRecentTwentyEightDays()
    {
        // Thirty days: the two oldest were a spike that no longer counts.
        var history = Days(new DateOnly(2026, 2, 1), [1000m, 1000m, .. Enumerable.Repeat(10m, 28)]);
        var remaining = Remaining(new DateOnly(2026, 3, 3), 1m, wholeDays: 4);

        var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

        Assert.Equal(50m, projection.Expected);
        Assert.Equal(0m, projection.StandardDeviation);
        Assert.Equal(50m, projection.Low);
        Assert.Equal(50m, projection.High);
    }

    [Fact]
    public void FloorsTheBandsLowerEdgeAtZero()
    {
        var history = Days(Monday, 0, 100);
        var remaining = Remaining(Monday.AddDays(2), 1m, wholeDays: 0);

        var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

        // Mean 50 of 2 days, σ = 70.7107; 1.2816 × σ × √(1 + 1/2) = 110.98982: the band would reach below nothing.
        Assert.Equal(50m, projection.Expected);
        Assert.Equal(0m, projection.Low);
        Assert.Equal(160.98982m, Math.Round(projection.High, 5));
    }

    [Fact]
    public void WithoutHistoryNothingMoreIsExpected()
    {
        var projection = UsageProjector.ProjectRemaining([], Remaining(Monday, 0.5m, wholeDays: 5), additive: true);

        Assert.Equal(ProjectionBasis.NoHistory, projection.Basis);
        Assert.All(projection.Days, d => Assert.Equal((0m, 0m, 0m), (d.Expected, d.Low, d.High)));
        Assert.Equal(6, projection.Days.Count);
    }

    [Fact]
    public void ANonAdditiveMeterStaysAtItsCurrentQuantity()
    {
        var projection = UsageProjector.ProjectRemaining(Days(Monday, 5, 9, 7), Remaining(Monday.AddDays(3), 1m, wholeDays: 5), additive: false);

        Assert.Equal(ProjectionBasis.NotAdditive, projection.Basis);
        Assert.Equal((0m, 0m, 0m), (projection.Expected, projection.Low, projection.High));
    }

    [Fact]
    public void ANegativeRateProjectsNothingRatherThanTakingUsageAway()
    {
        var projection = UsageProjector.ProjectRemaining(Days(Monday, -5, -3), Remaining(Monday.AddDays(2), 1m, wholeDays: 2), additive: true);

        Assert.Equal(0m, projection.Expected);
        Assert.Equal(0m, projection.Low);
    }

    [Fact]
    public void ThroughADateIsTheCumulativeExpectationUpToIt()
    {
        var projection = UsageProjector.ProjectRemaining(Days(Monday, 10, 10), Remaining(Monday.AddDays(2), 0.5m, wholeDays: 3), additive: true);

        Assert.Equal(0m, projection.Through(Monday.AddDays(1)).Expected);
        Assert.Equal(5m, projection.Through(Monday.AddDays(2)).Expected);
        Assert.Equal(25m, projection.Through(Monday.AddDays(4)).Expected);
        Assert.Equal(35m, projection.Through(Monday.AddDays(30)).Expected);
    }

    [Fact]
    public void RefusesARepeatedDateUnorderedRemainingDaysAndFractionsOutsideADay()
    {
        Assert.Throws<ArgumentException>(() => UsageProjector.ProjectRemaining([new(Monday, 1m), new(Monday, 2m)], [], true));
        Assert.Throws<ArgumentException>(() => UsageProjector.ProjectRemaining([], [new(Monday.AddDays(1), 1m), new(Monday, 1m)], true));
        Assert.Throws<ArgumentException>(() => UsageProjector.ProjectRemaining([], [new(Monday, 0m)], true));
        Assert.Throws<ArgumentException>(() => UsageProjector.ProjectRemaining([], [new(Monday, 1.5m)], true));
    }

    [Fact]
    public void MoreEventsLikeTheObservedOnesMakeUpALargerTotal() =>
        Assert.Equal([10m, 20m, 30m, 20m, 20m], ProjectedEvents.Fit([10m, 20m, 30m], 100m));

    [Fact]
    public void AnAddedRemainderSmallerThanTheMeanIsItsOwnEvent() =>
        Assert.Equal([10m, 20m, 30m, 20m, 5m], ProjectedEvents.Fit([10m, 20m, 30m], 85m));

    [Fact]
    public void ASmallerTotalKeepsTheFirstEventsAndCutsTheLastShort() =>
        Assert.Equal([10m, 15m], ProjectedEvents.Fit([10m, 20m, 30m], 25m));

    [Fact]
    public void TheObservedTotalKeepsEveryObservedEventZerosIncluded() =>
        Assert.Equal([10m, 0m, 20m, 0m], ProjectedEvents.Fit([10m, 0m, 20m, 0m], 30m));

    [Fact]
    public void WithoutObservedEventsALargerTotalIsOneEventAndNothingIsNoEvents()
    {
        Assert.Equal([50m], ProjectedEvents.Fit([], 50m));
        Assert.Empty(ProjectedEvents.Fit([10m, 20m], 0m));
    }

    [Fact]
    public void NeverAddsMoreThanTheCapOfEvents()
    {
        var values = ProjectedEvents.Fit([0.01m], 1_000_000m);

        // The observed event, the cap of added ones, and one for what their size (cut to millionths) left over.
        Assert.Equal(1 + ProjectedEvents.MaxAddedEvents + 1, values.Count);
        Assert.Equal(1_000_000m, values.Sum());
    }

    private static List<DailyQuantity> Days(DateOnly first, params decimal[] quantities) =>
        [.. quantities.Select((q, i) => new DailyQuantity(first.AddDays(i), q))];

    private static List<RemainingDay> Remaining(DateOnly today, decimal fractionOfToday, int wholeDays) =>
        [new(today, fractionOfToday), .. Enumerable.Range(1, wholeDays).Select(i => new RemainingDay(today.AddDays(i), 1m))];
}
