using System.Text.Json;

namespace UsagePortal.Metering.Tests;

public class EventDataTests
{
    [Fact]
    public void FindsTopLevelAndNestedValuesByPath()
    {
        var data = EventData.Parse("""{"a":1,"usage":{"tokens":{"input":7,"output":"9"},"model":"gpt"},"z":true}""");

        Assert.Equal("7", Text(data, "usage.tokens.input"));
        Assert.Equal("9", Text(data, "usage.tokens.output"));
        Assert.Equal("gpt", Text(data, "usage.model"));
        Assert.Equal("true", Text(data, "z"));
        Assert.Equal("1", Text(data, "a"));
    }

    [Fact]
    public void ANestedObjectOrArrayIsFoundAsItsRawJson()
    {
        var data = EventData.Parse("""{"usage": {"tokens" : 7}, "tags": [ "a", "b" ]}""");

        Assert.True(data.TryGetValue("usage", out var usage));
        Assert.Equal(JsonValueKind.Object, usage.Kind);
        Assert.Equal("""{"tokens" : 7}""", usage.Text);
        Assert.True(data.TryGetValue("tags", out var tags));
        Assert.Equal("""[ "a", "b" ]""", tags.Text);
    }

    [Fact]
    public void MissingPathsAndPathsThroughNonObjectsAreNotFound()
    {
        var data = EventData.Parse("""{"a":{"b":1},"s":"text","tokens":2}""");

        Assert.False(data.TryGetValue("missing", out _));
        Assert.False(data.TryGetValue("a.c", out _));
        Assert.False(data.TryGetValue("s.length", out _));
        Assert.False(data.TryGetValue("b", out _));
        Assert.False(data.TryGetValue("a.b.c", out _));
    }

    [Fact]
    public void SiblingsAfterANestedObjectAreFound()
    {
        var data = EventData.Parse("""{"x":{"y":{"z":1},"w":2},"v":3}""");

        Assert.Equal("2", Text(data, "x.w"));
        Assert.Equal("3", Text(data, "v"));
        Assert.False(data.TryGetValue("w", out _));
    }

    [Fact]
    public void ARepeatedKeyResolvesToItsLastOccurrenceLikeJsonb()
    {
        var data = EventData.Parse("""{"n":1,"n":2}""");

        Assert.Equal("2", Text(data, "n"));
    }

    [Fact]
    public void ParseRefusesJsonThatIsNotAnObject()
    {
        Assert.Throws<ArgumentException>(() => EventData.Parse("[1]"));
        Assert.ThrowsAny<JsonException>(() => EventData.Parse("{"));
        Assert.ThrowsAny<JsonException>(() => EventData.Parse("""{"x":"\ud800"}"""));
    }

    private static string Text(EventData data, string path)
    {
        Assert.True(data.TryGetValue(path, out var value), path);
        return value.Text;
    }
}
