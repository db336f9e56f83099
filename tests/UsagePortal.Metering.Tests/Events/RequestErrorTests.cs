using System.Text;

namespace UsagePortal.Metering.Tests;

public class RequestErrorTests
{
    [Fact]
    public void MalformedJsonIsAWholeRequestErrorWithLineAndPosition()
    {
        var batch = Requests.Read(Requests.Structured, "{\n  \"id\": \"a\",,\n}");

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        Assert.Empty(batch.Events);
        var error = Assert.Single(batch.Errors);
        Assert.Equal((null, "body"), (error.Index, error.Field));
        Assert.StartsWith("The body is not valid JSON at line 2, position 13: ", error.Reason);
        Assert.DoesNotContain("LineNumber", error.Reason);
    }

    [Fact]
    public void MalformedJsonLateInABatchDiscardsTheEventsReadBeforeIt()
    {
        var batch = Requests.Read(Requests.Batched, "[" + Requests.Event() + "," + Requests.Event(id: null) + ", {\"id\": }]");

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        Assert.Equal((null, "body"), Assert.Single(batch.Locations()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n ")]
    public void AnEmptyBodyIsAWholeRequestError(string body)
    {
        var batch = Requests.Read(Requests.Json, body);

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        Assert.Contains("empty", Assert.Single(batch.Errors).Reason);
    }

    [Theory]
    [InlineData("{\"id\":\"1\"} {\"id\":\"2\"}")]
    [InlineData("{\"id\":\"1\"} x")]
    public void ContentAfterTheEventIsMalformedJson(string body)
    {
        var batch = Requests.Read(Requests.Json, body);

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
    }

    [Fact]
    public void InvalidUtf8IsAWholeRequestError()
    {
        var body = Encoding.UTF8.GetBytes(Requests.Event(subject: "cust-X")).ToArray();
        body[Array.IndexOf(body, (byte)'X')] = 0xFF;

        var batch = EventBatchReader.Read(Requests.Structured, [], body, Requests.ReceivedAt, EventReaderOptions.Default);

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        Assert.Contains("UTF-8", Assert.Single(batch.Errors).Reason);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"\ud800"}""")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","data":{"name":"\udc00x"}}""")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","data":{"\ud800":1}}""")]
    public void AnEscapedLoneSurrogateIsAWholeRequestError(string body)
    {
        var batch = Requests.Read(Requests.Structured, body);

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        var error = Assert.Single(batch.Errors);
        Assert.Equal((null, "body"), (error.Index, error.Field));
        Assert.StartsWith("The body holds a string that cannot be read at line 1, position ", error.Reason);
    }

    [Fact]
    public void ABatchOverTheLimitIsAWholeRequestErrorNamingTheLimit()
    {
        var options = EventReaderOptions.Default with { MaxEventsPerBatch = 3 };
        var atLimit = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(), Requests.Event(), Requests.Event()), options);
        var overLimit = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(), Requests.Event(), Requests.Event(), Requests.Event()), options);

        Assert.True(atLimit.IsValid);
        Assert.Equal(EventBatchStatus.TooManyEvents, overLimit.Status);
        Assert.Empty(overLimit.Events);
        var error = Assert.Single(overLimit.Errors);
        Assert.Null(error.Index);
        Assert.Contains("the limit is 3 per request", error.Reason);
    }

    [Fact]
    public void TheDefaultLimitIsTenThousandEvents()
    {
        const string minimal = """{"id":"1","type":"t","subject":"c"}""";
        var body = "[" + string.Join(",", Enumerable.Repeat(minimal, 10_001)) + "]";

        var batch = Requests.Read(Requests.Json, body);

        Assert.Equal(EventBatchStatus.TooManyEvents, batch.Status);
        Assert.Contains("10,000", Assert.Single(batch.Errors).Reason);
        Assert.Equal(10_000, EventReaderOptions.Default.MaxEventsPerBatch);
    }

    [Fact]
    public void TheLimitCountsNonObjectElementsToo()
    {
        var batch = Requests.Read(Requests.Batched, "[1,2,3,4]", EventReaderOptions.Default with { MaxEventsPerBatch = 3 });

        Assert.Equal(EventBatchStatus.TooManyEvents, batch.Status);
    }
}
