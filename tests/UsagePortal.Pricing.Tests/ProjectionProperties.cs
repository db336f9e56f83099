using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Pricing.Tests;

/// <summary>Properties of <see cref="UsageProjector"/> and <see cref="ProjectedEvents"/> over generated histories.</summary>
public class ProjectionProperties
{
    private static readonly DateOnly Origin = new(2026, 1, 5);

    /// <summary>0 to 40 consecutive days of quantities 0 to 5000 (two decimals), ending the day before "today".</summary>
    private static Gen<List<DailyQuantity>> History =>
        from count in Gen.Choose(0, 40)
        from quantities in Gen.ArrayOf(Gen.Choose(0, 500_000).Select(i => i / 100m), count)
        select quantities.Select((q, i) => new DailyQuantity(Today.AddDays(i - count), q)).ToList();

    private static DateOnly Today => Origin.AddDays(60);

    /// <summary>The rest of today (a fraction in thousandths) and 0 to 31 whole days.</summary>
    private static Gen<List<RemainingDay>> Remaining =>
        from thousandths in Gen.Choose(1, 1000)
        from whole in Gen.Choose(0, 31)
        select Enumerable.Range(0, whole + 1).Select(i => new RemainingDay(Today.AddDays(i), i == 0 ? thousandths / 1000m : 1m)).ToList();

    [Fact]
    public void TheBandHoldsTheExpectationAndNothingIsNegative() =>
        Prop.ForAll(History.Zip(Remaining).Zip(Gen.Elements(true, false)).ToArbitrary(), input =>
        {
            var ((history, remaining), additive) = input;

            var projection = UsageProjector.ProjectRemaining(history, remaining, additive);

            Assert.Equal(remaining.Count, projection.Days.Count);
            foreach (var day in projection.Days)
            {
                Assert.True(0m <= day.Low && day.Low <= day.Expected && day.Expected <= day.High, $"{day} is not ordered");
            }

            Assert.True(projection.Days.Zip(projection.Days.Skip(1)).All(p => p.First.Expected <= p.Second.Expected), "the expectation went down");
            if (!additive || history.Count == 0)
            {
                Assert.All(projection.Days, d => Assert.Equal((0m, 0m), (d.Expected, d.High)));
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void WithTwoWeeksOrMoreEachDayExpectsItsWeekdaysLevel() =>
        Prop.ForAll(WeeklyPattern.Zip(Gen.Choose(14, 40)).Zip(Remaining).ToArbitrary(), input =>
        {
            var ((pattern, days), remaining) = input;
            // Every day of the history is exactly its weekday's level, so each weekday's mean is that level.
            var history = Enumerable.Range(1, days).Select(i => Today.AddDays(-i)).Select(d => new DailyQuantity(d, pattern[(int)d.DayOfWeek])).ToList();

            var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

            Assert.Equal(ProjectionBasis.WeekdayMeans, projection.Basis);
            var expected = 0m;
            foreach (var (day, projected) in remaining.Zip(projection.Days))
            {
                expected += pattern[(int)day.Date.DayOfWeek] * day.Fraction;
                Assert.Equal(expected, projected.Expected);
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void WithLessThanTwoWeeksEveryDayExpectsTheMean() =>
        Prop.ForAll(WeeklyPattern.Zip(Gen.Choose(1, 13)).Zip(Remaining).ToArbitrary(), input =>
        {
            var ((pattern, days), remaining) = input;
            var history = Enumerable.Range(1, days).Select(i => Today.AddDays(-i)).Select(d => new DailyQuantity(d, pattern[(int)d.DayOfWeek])).ToList();
            var mean = history.Sum(d => d.Quantity) / history.Count;

            var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

            Assert.Equal(ProjectionBasis.RecentMean, projection.Basis);
            Assert.Equal(mean, projection.DailyRate);
            Assert.True(Math.Abs(mean * remaining.Sum(d => d.Fraction) - projection.Expected) < 0.000001m);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void FittedEventsSumToTheTotalAndKeepTheObservedOnesWhenItIsLarger() =>
        Prop.ForAll(Generators.EventValues.Zip(Gen.Choose(0, 300_000).Select(i => i / 10m)).ToArbitrary(), input =>
        {
            var (observed, total) = input;

            var fitted = ProjectedEvents.Fit(observed, total);

            Assert.Equal(total, fitted.Sum());
            Assert.All(fitted, v => Assert.True(v >= 0m));
            if (total >= observed.Sum())
            {
                Assert.Equal(observed, fitted.Take(observed.Length));
            }
        }).QuickCheckThrowOnFailure();

    private static Gen<decimal[]> WeeklyPattern => Gen.ArrayOf(Gen.Choose(0, 100_000).Select(i => i / 10m), 7);
}
