using static UsagePortal.Metering.Tests.MeterFixtures;

namespace UsagePortal.Metering.Tests;

public class MeterEvaluatorTests
{
    private static readonly MeterDefinition CountCalls = Define(MeterAggregation.Count);
    private static readonly MeterDefinition SumTokens = Define(MeterAggregation.Sum, "tokens");

    private static Dictionary<string, IReadOnlyList<string>> Filter(string property, params string[] allowed) =>
        new() { [property] = allowed };

    [Fact]
    public void ACountMeterMatchesEveryEventOfItsType()
    {
        var reading = Evaluate(CountCalls, "{}");

        Assert.Null(reading.Value);
        Assert.Null(reading.UniqueValue);
        Assert.Equal(GroupKey.None, reading.GroupKey);
        Assert.Equal(Time, reading.Time);
    }

    [Fact]
    public void AnEventOfAnotherTypeIsSkippedAsOtherEventType()
    {
        Assert.Equal(MeterSkipReason.OtherEventType, Skip(CountCalls, Event("{}", type: "api.Call")));
    }

    [Fact]
    public void AFilterAdmitsOnlyAllowedStringValues()
    {
        var meter = Define(MeterAggregation.Count, filters: Filter("region", "eu", "us"));

        Assert.True(new MeterEvaluator(meter).TryEvaluate(Event("""{"region":"eu"}"""), out _));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"region":"EU"}""")));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"region":"apac"}""")));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("{}")));
    }

    [Fact]
    public void AFilterComparesNumbersAndBooleansByTheirJsonText()
    {
        var byTier = Define(MeterAggregation.Count, filters: Filter("tier", "3"));
        var byFlag = Define(MeterAggregation.Count, filters: Filter("cached", "true"));

        Assert.True(new MeterEvaluator(byTier).TryEvaluate(Event("""{"tier":3}"""), out _));
        Assert.True(new MeterEvaluator(byTier).TryEvaluate(Event("""{"tier":"3"}"""), out _));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(byTier, Event("""{"tier":3.0}""")));
        Assert.True(new MeterEvaluator(byFlag).TryEvaluate(Event("""{"cached":true}"""), out _));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(byFlag, Event("""{"cached":false}""")));
    }

    [Fact]
    public void NullObjectsAndArraysNeverMatchAFilter()
    {
        var meter = Define(MeterAggregation.Count, filters: Filter("x", "null", "[]", "{}"));

        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"x":null}""")));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"x":[]}""")));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"x":{}}""")));
    }

    [Fact]
    public void EveryFilterMustMatch()
    {
        var meter = Define(MeterAggregation.Count, filters: new Dictionary<string, IReadOnlyList<string>>
        {
            ["region"] = ["eu"],
            ["usage.model"] = ["gpt", "claude"],
        });

        Assert.True(new MeterEvaluator(meter).TryEvaluate(Event("""{"region":"eu","usage":{"model":"claude"}}"""), out _));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"region":"eu","usage":{"model":"llama"}}""")));
        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"region":"us","usage":{"model":"gpt"}}""")));
    }

    [Fact]
    public void TheGroupKeyIsTheSameWhateverTheOrderOfKeysInTheEvent()
    {
        var meter = Define(MeterAggregation.Count, groupBy: ["region", "model"]);

        var first = Evaluate(meter, """{"region":"eu","model":"gpt","other":1}""");
        var second = Evaluate(meter, """{"other":2, "model" : "gpt", "region":"eu"}""");

        Assert.Equal("""{"model":"gpt","region":"eu"}""", first.GroupKey);
        Assert.Equal(first.GroupKey, second.GroupKey);
    }

    [Fact]
    public void TheGroupKeyIsTheSameWhateverTheOrderOfGroupByInTheMeter()
    {
        var one = Evaluate(Define(MeterAggregation.Count, groupBy: ["region", "model"]), """{"region":"eu","model":"gpt"}""");
        var other = Evaluate(Define(MeterAggregation.Count, groupBy: ["model", "region"]), """{"region":"eu","model":"gpt"}""");

        Assert.Equal(one.GroupKey, other.GroupKey);
    }

    [Fact]
    public void AMissingOrNullGroupValueIsNullInTheKey()
    {
        var meter = Define(MeterAggregation.Count, groupBy: ["region", "model"]);

        Assert.Equal("""{"model":null,"region":"eu"}""", Evaluate(meter, """{"region":"eu"}""").GroupKey);
        Assert.Equal("""{"model":null,"region":null}""", Evaluate(meter, """{"model":null}""").GroupKey);
    }

    [Fact]
    public void GroupValuesAreTextSoANumberAndItsStringShareAGroup()
    {
        var meter = Define(MeterAggregation.Count, groupBy: ["tier"]);

        Assert.Equal("""{"tier":"3"}""", Evaluate(meter, """{"tier":3}""").GroupKey);
        Assert.Equal("""{"tier":"3"}""", Evaluate(meter, """{"tier":"3"}""").GroupKey);
        Assert.Equal("""{"tier":"true"}""", Evaluate(meter, """{"tier":true}""").GroupKey);
    }

    [Fact]
    public void GroupValuesAreEscapedAsJson()
    {
        var meter = Define(MeterAggregation.Count, groupBy: ["name"]);

        var key = Evaluate(meter, """{"name":"a \"b\" \\ c\nd"}""").GroupKey;

        Assert.Equal("{\"name\":\"a \\\"b\\\" \\\\ c\\u000ad\"}", key);
        Assert.Equal("a \"b\" \\ c\nd", GroupKey.Parse(key)["name"]);
    }

    [Fact]
    public void GroupKeyFormatMatchesTheEvaluatorAndParsesBack()
    {
        var meter = Define(MeterAggregation.Count, groupBy: ["usage.model", "region"]);
        var reading = Evaluate(meter, """{"usage":{"model":"gpt"}}""");

        var formatted = GroupKey.Format([KeyValuePair.Create("usage.model", (string?)"gpt"), KeyValuePair.Create("region", (string?)null)]);

        Assert.Equal("""{"region":null,"usage.model":"gpt"}""", reading.GroupKey);
        Assert.Equal(reading.GroupKey, formatted);
        Assert.Equal(new Dictionary<string, string?> { ["region"] = null, ["usage.model"] = "gpt" }, GroupKey.Parse(formatted));
        Assert.Equal(GroupKey.None, GroupKey.Format([]));
    }

    [Fact]
    public void ANestedPathReadsIntoNestedObjects()
    {
        var meter = Define(MeterAggregation.Sum, "usage.tokens.input", groupBy: ["usage.model"]);

        var reading = Evaluate(meter, """{"usage":{"model":"gpt","tokens":{"input":120,"output":30}}}""");

        Assert.Equal(120m, reading.Value);
        Assert.Equal("""{"usage.model":"gpt"}""", reading.GroupKey);
    }

    [Theory]
    [InlineData("""{"tokens":12.5}""", "12.5")]
    [InlineData("""{"tokens":"12.5"}""", "12.5")]
    [InlineData("""{"tokens":-3}""", "-3")]
    [InlineData("""{"tokens":1.5e3}""", "1500")]
    [InlineData("""{"tokens":"2E-2"}""", "0.02")]
    [InlineData("""{"tokens":0.1}""", "0.1")]
    [InlineData("""{"tokens":12345678901234567890.12345678}""", "12345678901234567890.12345678")]
    [InlineData("""{"tokens":79228162514264337593543950335}""", "79228162514264337593543950335")]
    [InlineData("""{"tokens":0.0000000000000000000000000001}""", "0.0000000000000000000000000001")]
    [InlineData("""{"tokens":1.000000000000000000000000000000000}""", "1")]
    [InlineData("""{"tokens":-0}""", "0")]
    public void NumbersAndNumericStringsAreReadExactly(string data, string expected)
    {
        var reading = Evaluate(SumTokens, data);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), reading.Value);
    }

    [Theory]
    [InlineData("""{"tokens":"twelve"}""")]
    [InlineData("""{"tokens":" 12"}""")]
    [InlineData("""{"tokens":"012"}""")]
    [InlineData("""{"tokens":"1,5"}""")]
    [InlineData("""{"tokens":"0x10"}""")]
    [InlineData("""{"tokens":"NaN"}""")]
    [InlineData("""{"tokens":""}""")]
    [InlineData("""{"tokens":true}""")]
    [InlineData("""{"tokens":{"n":1}}""")]
    [InlineData("""{"tokens":[1]}""")]
    public void ANonNumericPropertyDoesNotContribute(string data)
    {
        Assert.Equal(MeterSkipReason.PropertyNotANumber, Skip(SumTokens, Event(data)));
    }

    [Theory]
    [InlineData("""{"tokens":1e29}""")]
    [InlineData("""{"tokens":-1e400}""")]
    [InlineData("""{"tokens":1e-29}""")]
    [InlineData("""{"tokens":0.12345678901234567890123456789}""")]
    [InlineData("""{"tokens":"79228162514264337593543950336"}""")]
    public void ANumberADecimalCannotHoldExactlyDoesNotContribute(string data)
    {
        Assert.Equal(MeterSkipReason.PropertyOutOfRange, Skip(SumTokens, Event(data)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"tokens":null}""")]
    [InlineData("""{"usage":{"tokens":5}}""")]
    public void AMissingPropertyDoesNotContribute(string data)
    {
        Assert.Equal(MeterSkipReason.PropertyMissing, Skip(SumTokens, Event(data)));
    }

    [Fact]
    public void AUniqueCountReadingCarriesTheValueText()
    {
        var meter = Define(MeterAggregation.UniqueCount, "user");

        Assert.Equal("u-1", Evaluate(meter, """{"user":"u-1"}""").UniqueValue);
        Assert.Equal("17", Evaluate(meter, """{"user":17}""").UniqueValue);
        Assert.Null(Evaluate(meter, """{"user":17}""").Value);
        Assert.Equal(MeterSkipReason.PropertyMissing, Skip(meter, Event("""{"user":null}""")));
    }

    [Fact]
    public void FiltersAreCheckedBeforeTheProperty()
    {
        var meter = Define(MeterAggregation.Sum, "tokens", filters: Filter("region", "eu"));

        Assert.Equal(MeterSkipReason.FilteredOut, Skip(meter, Event("""{"region":"us"}""")));
    }

    [Fact]
    public void TheCatalogHandsEachEventTypeItsMeters()
    {
        var catalog = new MeterCatalog([
            CountCalls,
            SumTokens with { Code = "tokens" },
            Define(MeterAggregation.Count) with { Code = "jobs", EventType = "job.done" },
        ]);

        Assert.Equal(["api_tokens", "tokens"], catalog.ForEventType("api.call").Select(m => m.Meter.Code));
        Assert.Equal(["jobs"], catalog.ForEventType("job.done").Select(m => m.Meter.Code));
        Assert.Empty(catalog.ForEventType("other"));
        Assert.Equal(3, catalog.All.Count);
    }
}
