namespace UsagePortal.Pricing.Tests;

/// <summary>Local days and clock changes: the one helper every period, day and start date goes through.</summary>
public class LocalCalendarExamples
{
    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DateTime Utc(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void AnOrdinaryMidnightIsTheZonesMidnight()
    {
        Assert.Equal(Utc(2026, 10, 1, 4), LocalCalendar.StartOfDay(new DateOnly(2026, 10, 1), Zone("America/New_York")));
    }

    [Fact]
    public void AMidnightThatTheClocksSkipStartsTheDayAtTheJump()
    {
        // Santiago moves from 00:00 to 01:00 on 6 September 2026 (UTC−4 → UTC−3): the day starts at 01:00 local, 04:00 UTC.
        var start = LocalCalendar.StartOfDay(new DateOnly(2026, 9, 6), Zone("America/Santiago"));

        Assert.Equal(Utc(2026, 9, 6, 4), start);
        Assert.Equal(new DateOnly(2026, 9, 6), LocalCalendar.DateOf(start, Zone("America/Santiago")));
        Assert.Equal(new DateOnly(2026, 9, 5), LocalCalendar.DateOf(start.AddTicks(-1), Zone("America/Santiago")));
    }

    [Fact]
    public void ATimeInsideAHalfHourJumpBecomesTheEndOfTheJump()
    {
        // Lord Howe Island moves from 02:00 to 02:30 on 4 October 2026 (UTC+10:30 → UTC+11): 02:10 does not exist.
        var zone = Zone("Australia/Lord_Howe");

        Assert.Equal(Utc(2026, 10, 3, 15, 30), LocalCalendar.ToUtc(new DateTime(2026, 10, 4, 2, 10, 0), zone));
        Assert.Equal(new DateTime(2026, 10, 4, 2, 30, 0), TimeZoneInfo.ConvertTimeFromUtc(Utc(2026, 10, 3, 15, 30), zone));
    }

    [Fact]
    public void ACalendarMonthRunsBetweenLocalMidnightsAcrossAClockChange()
    {
        // Berlin changes to summer time on 29 March 2026: March is 31 local days but one hour short.
        var (start, end) = LocalCalendar.CalendarMonth(Utc(2026, 3, 15), Zone("Europe/Berlin"));

        Assert.Equal((Utc(2026, 2, 28, 23), Utc(2026, 3, 31, 22)), (start, end));
        Assert.Equal(TimeSpan.FromDays(31) - TimeSpan.FromHours(1), end - start);
    }

    [Fact]
    public void AnInstantJustBeforeLocalMidnightBelongsToThePreviousDay()
    {
        var zone = Zone("Asia/Tokyo");

        Assert.Equal(new DateOnly(2026, 12, 31), LocalCalendar.DateOf(Utc(2026, 12, 31, 14, 59), zone));
        Assert.Equal(new DateOnly(2027, 1, 1), LocalCalendar.DateOf(Utc(2026, 12, 31, 15), zone));
    }
}
