namespace UsagePortal.Metering.Tests;

public class ContentModeTests
{
    [Fact]
    public void StructuredModeReadsOneEventWithEveryAttribute()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: "2025-03-01T13:30:00+02:00"));

        Assert.True(batch.IsValid);
        Assert.Equal(EventContentMode.Structured, batch.Mode);
        var e = Assert.Single(batch.Events);
        Assert.Equal("evt-1", e.Id);
        Assert.Equal("billing-test", e.Source);
        Assert.Equal("api.call", e.Type);
        Assert.Equal("cust-42", e.Subject);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 11, 30, 0, TimeSpan.Zero), e.Time);
        Assert.Equal(TimeSpan.Zero, e.Time.Offset);
        Assert.Equal("""{"tokens":5}""", e.DataJson);
        Assert.True(e.Data.TryGetValue("tokens", out var tokens));
        Assert.Equal("5", tokens.Text);
    }

    [Fact]
    public void StructuredModeRefusesAnArrayAndPointsToTheBatchContentType()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Array(Requests.Event()));

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        var error = Assert.Single(batch.Errors);
        Assert.Null(error.Index);
        Assert.Contains("application/cloudevents-batch+json", error.Reason);
    }

    [Fact]
    public void BatchedModeReadsEveryEventInOrder()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(id: "a"), Requests.Event(id: "b"), Requests.Event(id: "c")));

        Assert.True(batch.IsValid);
        Assert.Equal(EventContentMode.Batched, batch.Mode);
        Assert.Equal(["a", "b", "c"], batch.Events.Select(e => e.Id));
    }

    [Fact]
    public void BatchedModeAcceptsAnEmptyArray()
    {
        var batch = Requests.Read(Requests.Batched, "[]");

        Assert.True(batch.IsValid);
        Assert.Empty(batch.Events);
    }

    [Fact]
    public void BatchedModeRefusesASingleObject()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Event());

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
        Assert.Equal((null, "body"), Assert.Single(batch.Locations()));
    }

    [Fact]
    public void BinaryModeReadsAttributesFromHeadersAndDataFromTheBody()
    {
        var batch = Requests.ReadBinary(
            "application/json",
            """{ "tokens": 12, "model": "gpt" }""",
            ("ce-specversion", "1.0"),
            ("ce-id", "evt-9"),
            ("ce-source", "billing-test"),
            ("ce-type", "api.call"),
            ("ce-subject", "cust-42"),
            ("ce-time", "2025-03-01T11:59:00Z"),
            ("Authorization", "Bearer irrelevant"));

        Assert.True(batch.IsValid);
        Assert.Equal(EventContentMode.Binary, batch.Mode);
        var e = Assert.Single(batch.Events);
        Assert.Equal(("evt-9", "billing-test", "api.call", "cust-42"), (e.Id, e.Source, e.Type, e.Subject));
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 11, 59, 0, TimeSpan.Zero), e.Time);
        Assert.Equal("""{ "tokens": 12, "model": "gpt" }""", e.DataJson);
    }

    [Fact]
    public void BinaryModeHeaderNamesAreCaseInsensitiveAndValuesArePercentDecoded()
    {
        var batch = Requests.ReadBinary(
            "application/json; charset=utf-8",
            "{}",
            ("CE-SpecVersion", "1.0"),
            ("Ce-Id", "evt-9"),
            ("CE-SOURCE", "billing-test"),
            ("ce-Type", "api.call"),
            ("ce-subject", "Zo%C3%AB%20%25"));

        var e = Assert.Single(batch.Events);
        Assert.Equal("Zoë %", e.Subject);
    }

    [Fact]
    public void BinaryModeWithAnEmptyBodyHasEmptyData()
    {
        var batch = Requests.ReadBinary(
            null,
            "",
            ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "s"), ("ce-type", "t"), ("ce-subject", "c"));

        var e = Assert.Single(batch.Events);
        Assert.Equal("{}", e.DataJson);
        Assert.Equal(Requests.ReceivedAt, e.Time);
    }

    [Fact]
    public void BinaryModeReportsEveryMissingHeaderByItsHeaderName()
    {
        var batch = Requests.ReadBinary("application/json", "{}", ("ce-specversion", "1.0"));

        Assert.Equal(EventBatchStatus.InvalidEvents, batch.Status);
        Assert.Equal(
            [(0, "ce-id"), (0, "ce-source"), (0, "ce-type"), (0, "ce-subject")],
            batch.Locations());
        Assert.All(batch.Errors, e => Assert.EndsWith("header is required.", e.Reason));
    }

    [Fact]
    public void BinaryModeNeedsAJsonBody()
    {
        var batch = Requests.ReadBinary("text/plain", "tokens=5", ("ce-specversion", "1.0"));

        Assert.Equal(EventBatchStatus.UnsupportedContentType, batch.Status);
        Assert.Equal(EventContentMode.Binary, batch.Mode);
        Assert.Equal((null, "content-type"), Assert.Single(batch.Locations()));
    }

    [Fact]
    public void BinaryModeRefusesABodyThatIsNotAnObject()
    {
        var batch = Requests.ReadBinary(
            "application/json",
            "[1, 2]",
            ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "s"), ("ce-type", "t"), ("ce-subject", "c"));

        Assert.Equal((0, "data"), Assert.Single(batch.Locations()));
    }

    [Fact]
    public void BinaryModeWinsOverPlainJsonWhenCeSpecversionIsPresent()
    {
        var batch = Requests.ReadBinary(
            "application/json",
            Requests.Event(),
            ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "s"), ("ce-type", "t"), ("ce-subject", "c"));

        Assert.Equal(EventContentMode.Binary, batch.Mode);
        Assert.Equal("1", Assert.Single(batch.Events).Id);
    }

    [Fact]
    public void PlainJsonReadsOneObjectWithoutSpecversionOrSource()
    {
        var batch = Requests.Read(Requests.Json, Requests.Event(specversion: null, source: null));

        Assert.True(batch.IsValid);
        Assert.Equal(EventContentMode.PlainJson, batch.Mode);
        var e = Assert.Single(batch.Events);
        Assert.Equal(EventReaderOptions.DefaultSource, e.Source);
        Assert.Equal("usageportal/api", e.Source);
    }

    [Fact]
    public void PlainJsonReadsAnArrayAndKeepsAGivenSource()
    {
        var batch = Requests.Read(Requests.Json, Requests.Array(
            Requests.Event(id: "a", source: null, specversion: null),
            Requests.Event(id: "b", source: "crm")));

        Assert.True(batch.IsValid);
        Assert.Equal(["usageportal/api", "crm"], batch.Events.Select(e => e.Source));
    }

    [Fact]
    public void PlainJsonChecksSpecversionWhenPresent()
    {
        var batch = Requests.Read(Requests.Json, Requests.Event(specversion: "0.3"));

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "specversion"), (error.Index, error.Field));
        Assert.Contains("\"1.0\"", error.Reason);
    }

    [Fact]
    public void PlainJsonRefusesATopLevelString()
    {
        var batch = Requests.Read(Requests.Json, "\"hello\"");

        Assert.Equal(EventBatchStatus.InvalidBody, batch.Status);
    }

    [Theory]
    [InlineData("application/cloudevents+json; charset=utf-8", EventContentMode.Structured)]
    [InlineData("application/cloudevents+json;charset=\"UTF-8\"", EventContentMode.Structured)]
    [InlineData("Application/CloudEvents-Batch+JSON ; charset=utf-8", EventContentMode.Batched)]
    [InlineData("application/json; charset=utf8", EventContentMode.PlainJson)]
    [InlineData("application/json;foo=bar", EventContentMode.PlainJson)]
    public void ContentTypeParametersAndCaseAreTolerated(string contentType, EventContentMode mode)
    {
        var body = mode == EventContentMode.Batched ? Requests.Array(Requests.Event()) : Requests.Event();

        var batch = Requests.Read(contentType, body);

        Assert.True(batch.IsValid);
        Assert.Equal(mode, batch.Mode);
    }

    [Fact]
    public void ACharsetOtherThanUtf8IsUnsupported()
    {
        var batch = Requests.Read("application/json; charset=iso-8859-1", Requests.Event());

        Assert.Equal(EventBatchStatus.UnsupportedContentType, batch.Status);
        Assert.Contains("iso-8859-1", Assert.Single(batch.Errors).Reason);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/cloudevents+avro")]
    [InlineData("multipart/form-data; boundary=x")]
    public void AnUnknownContentTypeWithoutCeHeadersIsAWholeRequestError(string contentType)
    {
        var batch = Requests.Read(contentType, Requests.Event());

        Assert.Equal(EventBatchStatus.UnsupportedContentType, batch.Status);
        Assert.Null(batch.Mode);
        Assert.Empty(batch.Events);
        var error = Assert.Single(batch.Errors);
        Assert.Equal((null, "content-type"), (error.Index, error.Field));
        Assert.Contains(contentType.Split(';')[0], error.Reason);
    }

    [Fact]
    public void AMissingContentTypeWithoutCeHeadersIsAWholeRequestError()
    {
        var batch = Requests.Read(null, Requests.Event());

        Assert.Equal(EventBatchStatus.UnsupportedContentType, batch.Status);
        Assert.Contains("no Content-Type", Assert.Single(batch.Errors).Reason);
    }

    [Fact]
    public void AByteOrderMarkIsSkipped()
    {
        var batch = Requests.Read(Requests.Structured, "\uFEFF" + Requests.Event());

        Assert.True(batch.IsValid);
    }
}
