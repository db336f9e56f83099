namespace UsagePortal.Metering.Tests;

public class EventValidationTests
{
    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("subject")]
    [InlineData("source")]
    [InlineData("specversion")]
    public void AMissingRequiredAttributeIsReportedByIndexAndField(string attribute)
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(), Without(attribute)));

        Assert.Equal(EventBatchStatus.InvalidEvents, batch.Status);
        var error = Assert.Single(batch.Errors);
        Assert.Equal((1, attribute), (error.Index, error.Field));
        Assert.Contains("required", error.Reason);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("subject")]
    [InlineData("source")]
    public void AnEmptyOrBlankAttributeIsRefused(string attribute)
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(With(attribute, ""), With(attribute, "   ")));

        Assert.Equal([(0, attribute), (1, attribute)], batch.Locations());
        Assert.All(batch.Errors, e => Assert.Contains("must not be empty", e.Reason));
    }

    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("subject")]
    [InlineData("source")]
    public void AnAttributeLongerThanTheLimitIsRefusedNamingTheLimit(string attribute)
    {
        var atLimit = Requests.Read(Requests.Structured, With(attribute, new string('x', 256)));
        var overLimit = Requests.Read(Requests.Structured, With(attribute, new string('x', 257)));

        Assert.True(atLimit.IsValid);
        var error = Assert.Single(overLimit.Errors);
        Assert.Equal((0, attribute), (error.Index, error.Field));
        Assert.Contains("257 characters", error.Reason);
        Assert.Contains("limit is 256", error.Reason);
    }

    [Fact]
    public void TheLengthLimitComesFromTheOptions()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(id: "evt-123456789"), EventReaderOptions.Default with { MaxAttributeLength = 12 });

        Assert.Equal((0, "id"), Assert.Single(batch.Locations()));
    }

    [Fact]
    public void AnAttributeThatIsNotAStringIsRefusedOnce()
    {
        var batch = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":42,"source":"s","type":"t","subject":["c"]}""");

        Assert.Equal([(0, "id"), (0, "subject")], batch.Locations());
        Assert.Contains("must be a string, not a number", batch.Errors[0].Reason);
        Assert.Contains("not an array", batch.Errors[1].Reason);
    }

    [Fact]
    public void NullCountsAsAbsent()
    {
        var batch = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":"1","source":"s","type":"t","subject":null,"time":null,"data":null}""");

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "subject"), (error.Index, error.Field));
        Assert.Contains("required", error.Reason);
    }

    [Fact]
    public void SpecversionMustBeOnePointZeroInCloudEventsModes()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(specversion: "0.3"));

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "specversion"), (error.Index, error.Field));
        Assert.Contains("\"0.3\"", error.Reason);
    }

    [Theory]
    [InlineData("2025-03-01")]
    [InlineData("2025-03-01T11:00:00")]
    [InlineData("2025-03-01T11:00Z")]
    [InlineData("2025-03-01 11:00:00Z")]
    [InlineData("2025-13-01T11:00:00Z")]
    [InlineData("2025-02-29T11:00:00Z")]
    [InlineData("2025-03-01T24:00:00Z")]
    [InlineData("2025-03-01T11:00:60Z")]
    [InlineData("2025-03-01T11:00:00.Z")]
    [InlineData("2025-03-01T11:00:00+0100")]
    [InlineData("2025-03-01T11:00:00+24:00")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void ATimeThatIsNotRfc3339IsRefused(string time)
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: time));

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "time"), (error.Index, error.Field));
        Assert.Contains("RFC 3339", error.Reason);
    }

    [Theory]
    [InlineData("2025-03-01T11:00:00Z", "2025-03-01T11:00:00.0000000+00:00")]
    [InlineData("2025-03-01t11:00:00z", "2025-03-01T11:00:00.0000000+00:00")]
    [InlineData("2025-03-01T16:30:00+05:30", "2025-03-01T11:00:00.0000000+00:00")]
    [InlineData("2025-03-01T06:00:00-05:00", "2025-03-01T11:00:00.0000000+00:00")]
    [InlineData("2025-03-01T11:00:00-00:00", "2025-03-01T11:00:00.0000000+00:00")]
    [InlineData("2025-03-01T11:00:00.5Z", "2025-03-01T11:00:00.5000000+00:00")]
    [InlineData("2025-03-01T11:00:00.123456789Z", "2025-03-01T11:00:00.1234567+00:00")]
    [InlineData("2024-02-29T23:59:59.9999999Z", "2024-02-29T23:59:59.9999999+00:00")]
    public void ARfc3339TimeIsReadAndNormalisedToUtc(string time, string expected)
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: time));

        var e = Assert.Single(batch.Events);
        Assert.Equal(expected, e.Time.ToString("O"));
    }

    [Fact]
    public void AnEventWithoutTimeHappenedWhenTheRequestWasReceived()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: null));

        Assert.Equal(Requests.ReceivedAt, Assert.Single(batch.Events).Time);
    }

    [Fact]
    public void AnEventFourMinutesInTheFutureIsAccepted()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: "2025-03-01T12:04:00Z"));

        Assert.True(batch.IsValid);
    }

    [Fact]
    public void AnEventExactlyFiveMinutesInTheFutureIsAccepted()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: "2025-03-01T12:05:00Z"));

        Assert.True(batch.IsValid);
    }

    [Fact]
    public void AnEventSixMinutesInTheFutureIsRefusedSayingSo()
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: "2025-03-01T14:06:00+02:00"));

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "time"), (error.Index, error.Field));
        Assert.Contains("more than 5 minutes after the request was received", error.Reason);
        Assert.Contains("2025-03-01T12:06:00Z", error.Reason);
    }

    [Fact]
    public void AnEventLongInThePastButWithinTheMaximumAgeIsAccepted()
    {
        // Late and back-filled usage is normal; only events older than MaxEventAge (730 days) are refused.
        var batch = Requests.Read(Requests.Structured, Requests.Event(time: "2023-06-01T00:00:00Z"));

        Assert.True(batch.IsValid);
    }

    [Theory]
    [InlineData("\"five\"", "a string")]
    [InlineData("[1,2]", "an array")]
    [InlineData("5", "a number")]
    [InlineData("true", "a boolean")]
    public void DataThatIsNotAnObjectIsRefused(string data, string described)
    {
        var batch = Requests.Read(Requests.Structured, Requests.Event(data: data));

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "data"), (error.Index, error.Field));
        Assert.Contains($"must be a JSON object, not {described}", error.Reason);
    }

    [Fact]
    public void AbsentOrNullDataIsAnEmptyObject()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(id: "a", data: null), Requests.Event(id: "b", data: "null")));

        Assert.True(batch.IsValid);
        Assert.All(batch.Events, e => Assert.Equal("{}", e.DataJson));
        Assert.All(batch.Events, e => Assert.False(e.Data.TryGetValue("tokens", out _)));
    }

    [Fact]
    public void DataIsKeptExactlyAsSent()
    {
        const string data = """{ "tokens" : 1.50 ,  "note":"Zo\u00eb \"quoted\"", "nested": {"a": [1, 2]} }""";

        var batch = Requests.Read(Requests.Structured, Requests.Event(data: data));

        var e = Assert.Single(batch.Events);
        Assert.Equal(data, e.DataJson);
        Assert.True(e.Data.TryGetValue("note", out var note));
        Assert.Equal("Zoë \"quoted\"", note.Text);
    }

    [Fact]
    public void DataBase64IsRefusedBecauseDataMustBeAnObject()
    {
        var batch = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","data_base64":"AAEC"}""");

        Assert.Equal((0, "data_base64"), Assert.Single(batch.Locations()));
    }

    [Fact]
    public void ADataContentTypeThatIsNotJsonIsRefused()
    {
        var ok = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","datacontenttype":"application/json; charset=utf-8","data":{}}""");
        var refused = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","datacontenttype":"text/plain","data":{}}""");

        Assert.True(ok.IsValid);
        Assert.Equal((0, "datacontenttype"), Assert.Single(refused.Locations()));
    }

    [Fact]
    public void AnAttributeThatAppearsTwiceIsRefused()
    {
        var batch = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":"1","id":"2","source":"s","type":"t","subject":"c"}""");

        var error = Assert.Single(batch.Errors);
        Assert.Equal((0, "id"), (error.Index, error.Field));
        Assert.Contains("more than once", error.Reason);
    }

    [Fact]
    public void ExtensionAttributesAreAcceptedAndIgnored()
    {
        var batch = Requests.Read(Requests.Structured, """{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"c","traceparent":"00-abc","partitionkey":{"x":1}}""");

        Assert.True(batch.IsValid);
    }

    [Fact]
    public void AnArrayElementThatIsNotAnObjectIsAnErrorAtItsIndex()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(), "42", "\"text\"", "null", Requests.Event(id: "b")));

        Assert.Equal([(1, "event"), (2, "event"), (3, "event")], batch.Locations());
        Assert.Contains("not a number", batch.Errors[0].Reason);
    }

    [Fact]
    public void EveryErrorOfEveryEventIsReported()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(
            Requests.Event(id: "ok"),
            Requests.Event(id: null, time: "noon", subject: ""),
            Requests.Event(id: "also-ok"),
            Requests.Event(type: null, data: "[]", specversion: "2.0")));

        Assert.Equal(EventBatchStatus.InvalidEvents, batch.Status);
        Assert.Empty(batch.Events);
        Assert.Equal(
            [(1, "id"), (1, "subject"), (1, "time"), (3, "data"), (3, "specversion"), (3, "type")],
            batch.Locations().OrderBy(l => l.Index).ThenBy(l => l.Field, StringComparer.Ordinal));
    }

    [Fact]
    public void OneBadEventInvalidatesTheWholeBatchButOnlyItsIndexIsReported()
    {
        var events = Enumerable.Range(0, 50).Select(i => Requests.Event(id: $"evt-{i}")).ToArray();
        events[37] = Requests.Event(id: "evt-37", subject: null);

        var batch = Requests.Read(Requests.Batched, Requests.Array(events));

        Assert.False(batch.IsValid);
        Assert.Empty(batch.Events);
        Assert.Equal((37, "subject"), Assert.Single(batch.Locations()));
    }

    [Fact]
    public void DuplicatesInsideABatchAreNotErrors()
    {
        var batch = Requests.Read(Requests.Batched, Requests.Array(Requests.Event(id: "same"), Requests.Event(id: "same")));

        Assert.True(batch.IsValid);
        Assert.Equal(2, batch.Events.Count);
    }

    private static string Without(string attribute) => With(attribute, null);

    private static string With(string attribute, string? value) => attribute switch
    {
        "id" => Requests.Event(id: value),
        "type" => Requests.Event(type: value),
        "subject" => Requests.Event(subject: value),
        "source" => Requests.Event(source: value),
        "specversion" => Requests.Event(specversion: value),
        _ => throw new ArgumentOutOfRangeException(nameof(attribute)),
    };
}
