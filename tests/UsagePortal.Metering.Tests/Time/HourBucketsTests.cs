using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Metering.Tests;

public class HourBucketsTests
{
    private static DateTimeOffset At(int hour, int minute = 0, int second = 0) => new(2025, 3, 1, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void FloorToHourDropsMinutesSecondsAndTicks()
    {
        Assert.Equal(At(10), HourBuckets.FloorToHour(At(10, 59, 59).AddTicks(9_999_999)));
        Assert.Equal(At(10), HourBuckets.FloorToHour(At(10)));
    }

    [Fact]
    public void FloorToHourWorksInUtcWhateverTheOffset()
    {
        var floored = HourBuckets.FloorToHour(new DateTimeOffset(2025, 3, 1, 16, 45, 0, TimeSpan.FromHours(5.5)));

        Assert.Equal(At(11), floored);
        Assert.Equal(TimeSpan.Zero, floored.Offset);
    }

    [Fact]
    public void ARangeAcrossHoursSplitsIntoLeadingWholeAndTrailing()
    {
        var split = HourBuckets.Split(At(9, 40), At(13, 15));

        Assert.Equal(new TimeRange(At(9, 40), At(10)), split.Leading);
        Assert.Equal(new TimeRange(At(10), At(13)), split.WholeHours);
        Assert.Equal(new TimeRange(At(13), At(13, 15)), split.Trailing);
    }

    [Fact]
    public void ARangeOnHourBoundariesIsAllWholeHours()
    {
        var split = HourBuckets.Split(At(9), At(12));

        Assert.Equal(new HourSplit(null, new TimeRange(At(9), At(12)), null), split);
    }

    [Fact]
    public void ARangeInsideOneHourIsOnlyALeadingPartial()
    {
        var split = HourBuckets.Split(At(9, 10), At(9, 50));

        Assert.Equal(new HourSplit(new TimeRange(At(9, 10), At(9, 50)), null, null), split);
    }

    [Fact]
    public void ARangeFromABoundaryIntoTheHourIsOnlyATrailingPartial()
    {
        var split = HourBuckets.Split(At(9), At(9, 50));

        Assert.Equal(new HourSplit(null, null, new TimeRange(At(9), At(9, 50))), split);
    }

    [Fact]
    public void ARangeAcrossOneBoundaryHasTwoPartialsAndNoWholeHour()
    {
        var split = HourBuckets.Split(At(9, 30), At(10, 30));

        Assert.Equal(new HourSplit(new TimeRange(At(9, 30), At(10)), null, new TimeRange(At(10), At(10, 30))), split);
    }

    [Fact]
    public void AnEmptyRangeHasNoParts()
    {
        Assert.Equal(default, HourBuckets.Split(At(9, 30), At(9, 30)));
    }

    [Fact]
    public void ABackwardsRangeIsRefused()
    {
        Assert.Throws<ArgumentException>(() => HourBuckets.Split(At(10), At(9)));
    }

    [Fact]
    public void HoursInListsEveryOverlappingHour()
    {
        Assert.Equal([At(9), At(10), At(11)], HourBuckets.HoursIn(new TimeRange(At(9, 30), At(11, 1))));
        Assert.Empty(HourBuckets.HoursIn(new TimeRange(At(9), At(9))));
    }

    [Fact]
    public void ThePartsCoverTheRangeExactlyInOrder()
    {
        var ranges = from start in Gen.Choose(0, 10_000)
                     from length in Gen.Choose(0, 10_000)
                     select (From: At(0).AddMinutes(start).AddSeconds(start % 7), To: At(0).AddMinutes(start + length).AddSeconds(length % 3));

        Prop.ForAll(ranges.ToArbitrary(), r =>
            {
                if (r.To < r.From)
                {
                    return true;
                }

                var split = HourBuckets.Split(r.From, r.To);
                var parts = new[] { split.Leading, split.WholeHours, split.Trailing }.Where(p => p is not null).Select(p => p!.Value).ToArray();
                var contiguous = parts.Zip(parts.Skip(1)).All(pair => pair.First.End == pair.Second.Start);
                var covers = parts.Length == 0 ? r.From == r.To : parts[0].Start == r.From && parts[^1].End == r.To;
                var wholeAligned = split.WholeHours is not { } whole
                    || (HourBuckets.IsHourBoundary(whole.Start) && HourBuckets.IsHourBoundary(whole.End));
                var edgesPartial = new[] { split.Leading, split.Trailing }
                    .All(edge => edge is not { } e || e.End - e.Start < TimeSpan.FromHours(1));
                return contiguous && covers && wholeAligned && edgesPartial && parts.All(p => !p.IsEmpty);
            })
            .QuickCheckThrowOnFailure();
    }
}
