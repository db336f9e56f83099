namespace UsagePortal.Metering.Tests;

public class EventDeduplicationTests
{
    private static readonly DateTimeOffset Time = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void KeepsTheFirstOccurrenceOfEachSourceAndId()
    {
        IncomingEvent[] events =
        [
            IncomingEvent.Create("1", "a", "t", "c", Time, """{"n":1}"""),
            IncomingEvent.Create("2", "a", "t", "c", Time),
            IncomingEvent.Create("1", "a", "t", "c", Time, """{"n":2}"""),
            IncomingEvent.Create("1", "b", "t", "c", Time),
            IncomingEvent.Create("2", "a", "t", "c", Time),
        ];

        var unique = EventDeduplication.KeepFirst(events);

        Assert.Equal([("a", "1"), ("a", "2"), ("b", "1")], unique.Select(e => (e.Source, e.Id)));
        Assert.Equal("""{"n":1}""", unique[0].DataJson);
    }

    [Fact]
    public void ReturnsTheSameListWhenThereIsNothingToRemove()
    {
        IncomingEvent[] events = [IncomingEvent.Create("1", "a", "t", "c", Time), IncomingEvent.Create("2", "a", "t", "c", Time)];

        Assert.Same(events, EventDeduplication.KeepFirst(events));
    }

    [Fact]
    public void IdsAreComparedExactly()
    {
        IncomingEvent[] events = [IncomingEvent.Create("abc", "a", "t", "c", Time), IncomingEvent.Create("ABC", "a", "t", "c", Time)];

        Assert.Equal(2, EventDeduplication.KeepFirst(events).Count);
    }

    [Fact]
    public void CreateNormalisesTheTimeToUtc()
    {
        var e = IncomingEvent.Create("1", "a", "t", "c", new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(Time, e.Time);
        Assert.Equal(TimeSpan.Zero, e.Time.Offset);
        Assert.Equal("{}", e.DataJson);
    }
}
