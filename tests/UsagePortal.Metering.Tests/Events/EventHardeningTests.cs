namespace UsagePortal.Metering.Tests;

/// <summary>Events the reader refuses since the hardening review: control characters, very old times, conflicting repeats.</summary>
public class EventHardeningTests
{
    [Theory]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    [InlineData("subject")]
    public void AnAttributeWithAControlCharacterIsRefused(string attribute)
    {
        var withNul = Requests.Read(Requests.Structured, With(attribute, "evt\\u0000x"));
        var withTab = Requests.Read(Requests.Structured, With(attribute, "evt\\tx"));

        var error = Assert.Single(withNul.Errors);
        Assert.Equal((0, attribute), (error.Index, error.Field));
        Assert.Contains("control characters", error.Reason);
        Assert.Contains("U+0000 at position 4", error.Reason);
        Assert.Contains("U+0009", Assert.Single(withTab.Errors).Reason);
    }

    [Fact]
    public void AnEventOlderThanTheMaximumAgeIsRefused()
    {
        var ancient = Requests.Read(Requests.Structured, Requests.Event(time: "0001-01-01T00:00:00Z"));
        var justInside = Requests.Read(Requests.Structured, Requests.Event(time: "2023-03-03T12:00:00Z"));

        var error = Assert.Single(ancient.Errors);
        Assert.Equal((0, "time"), (error.Index, error.Field));
        Assert.Contains("more than 730 days before", error.Reason);
        Assert.True(justInside.IsValid);
    }

    [Fact]
    public void TheMaximumAgeComesFromTheOptions()
    {
        var options = EventReaderOptions.Default with { MaxEventAge = TimeSpan.FromDays(1) };

        Assert.True(Requests.Read(Requests.Structured, Requests.Event(time: "2025-02-28T13:00:00Z"), options).IsValid);
        Assert.False(Requests.Read(Requests.Structured, Requests.Event(time: "2025-02-28T11:00:00Z"), options).IsValid);
    }

    [Fact]
    public void TheSameSourceAndIdTwiceWithDifferentContentIsRefusedNamingBothIndexes()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(
            Requests.Event(id: "a"),
            Requests.Event(id: "b"),
            Requests.Event(id: "a", data: """{"tokens":6}""")));

        Assert.Equal(EventBatchStatus.InvalidEvents, batch.Status);
        Assert.Equal([(0, "id"), (2, "id")], batch.Locations());
        Assert.Contains("Event 2 has the same source and id", batch.Errors[0].Reason);
        Assert.Contains("Event 0 has the same source and id", batch.Errors[1].Reason);
    }

    [Fact]
    public void AnExactRepeatInOneBatchIsARetryNotAnError()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(
            Requests.Event(id: "a", data: """{"tokens":5}"""),
            Requests.Event(id: "a", data: """{ "tokens" : 5 }""")));

        Assert.True(batch.IsValid);
        Assert.Single(EventDeduplication.KeepFirst(batch.Events));
    }

    [Fact]
    public void TheSameIdFromAnotherSourceIsAnotherEvent()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(
            Requests.Event(id: "a", source: "one"),
            Requests.Event(id: "a", source: "two", data: """{"tokens":6}""")));

        Assert.True(batch.IsValid);
    }

    private static string With(string attribute, string value) => attribute switch
    {
        "id" => Requests.Event(id: value),
        "source" => Requests.Event(source: value),
        "type" => Requests.Event(type: value),
        _ => Requests.Event(subject: value),
    };
}
