using System.Text.Json;

namespace UsagePortal.Metering.Tests;

public class MeterDefinitionTests
{
    private static readonly MeterDefinition Valid = MeterFixtures.Define(
        MeterAggregation.Sum,
        "usage.tokens",
        new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["eu", "us"] },
        ["model", "region"]);

    [Fact]
    public void AWellFormedMeterHasNoErrors()
    {
        Assert.Empty(Valid.Validate());
        Assert.Empty(MeterFixtures.Define(MeterAggregation.Count).Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1calls")]
    [InlineData("_calls")]
    [InlineData("Api_calls")]
    [InlineData("api-calls")]
    [InlineData("api calls")]
    [InlineData("api_calls\n")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012345")]
    public void ACodeOutsideTheFormatIsRefused(string code)
    {
        var errors = (Valid with { Code = code }).Validate();

        Assert.Equal("code", Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("api_calls_2")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901")]
    public void ACodeInTheFormatIsAccepted(string code)
    {
        Assert.Empty((Valid with { Code = code }).Validate());
    }

    [Fact]
    public void AnUnknownAggregationIsRefused()
    {
        var errors = (Valid with { Aggregation = (MeterAggregation)42 }).Validate();

        var error = Assert.Single(errors);
        Assert.Equal("aggregation", error.Field);
        Assert.Contains("count, sum, max, unique_count, latest", error.Reason);
    }

    [Fact]
    public void AnUnsetAggregationIsRefusedRatherThanTakenForCount()
    {
        var errors = new MeterDefinition { Code = "x", Name = "X", EventType = "t" }.Validate();

        Assert.Equal("aggregation", Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData(MeterAggregation.Sum)]
    [InlineData(MeterAggregation.Max)]
    [InlineData(MeterAggregation.UniqueCount)]
    [InlineData(MeterAggregation.Latest)]
    public void APropertyIsRequiredForEveryAggregationButCount(MeterAggregation aggregation)
    {
        var errors = MeterFixtures.Define(aggregation, property: null).Validate();

        var error = Assert.Single(errors);
        Assert.Equal("property", error.Field);
        Assert.Contains(aggregation.ToWireName(), error.Reason);
    }

    [Fact]
    public void APropertyIsForbiddenForCount()
    {
        var errors = MeterFixtures.Define(MeterAggregation.Count, property: "tokens").Validate();

        Assert.Equal("property", Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData(".tokens")]
    [InlineData("usage..tokens")]
    [InlineData("usage.")]
    [InlineData(" ")]
    public void AMalformedPropertyPathIsRefused(string property)
    {
        var errors = MeterFixtures.Define(MeterAggregation.Sum, property).Validate();

        Assert.Equal("property", Assert.Single(errors).Field);
    }

    [Fact]
    public void MoreThanFiveGroupByPropertiesAreRefused()
    {
        var errors = MeterFixtures.Define(MeterAggregation.Count, groupBy: ["a", "b", "c", "d", "e", "f"]).Validate();

        var error = Assert.Single(errors);
        Assert.Equal("groupBy", error.Field);
        Assert.Contains("at most 5", error.Reason);
    }

    [Fact]
    public void ARepeatedGroupByPropertyIsRefusedAtItsPosition()
    {
        var errors = MeterFixtures.Define(MeterAggregation.Count, groupBy: ["region", "model", "region"]).Validate();

        Assert.Equal("groupBy[2]", Assert.Single(errors).Field);
    }

    [Fact]
    public void AFilterWithNoAllowedValuesIsRefused()
    {
        var errors = MeterFixtures.Define(MeterAggregation.Count, filters: new Dictionary<string, IReadOnlyList<string>> { ["region"] = [] }).Validate();

        Assert.Equal("filters.region", Assert.Single(errors).Field);
    }

    [Fact]
    public void EveryErrorIsReportedAtOnce()
    {
        var meter = new MeterDefinition
        {
            Code = "Bad Code",
            Name = "",
            EventType = " ",
            Aggregation = MeterAggregation.Count,
            Property = "tokens",
            Filters = new Dictionary<string, IReadOnlyList<string>> { ["region"] = [], ["a..b"] = ["x"] },
            GroupBy = ["m", "m"],
        };

        var fields = meter.Validate().Select(e => e.Field);

        Assert.Equal(["code", "name", "eventType", "property", "filters.region", "filters.a..b", "groupBy[1]"], fields);
    }

    [Fact]
    public void TheMeterResourceShapeDeserializesWithWireAggregationNames()
    {
        const string json = """
            { "code": "gpu_seconds", "name": "GPU seconds", "eventType": "job.finished",
              "aggregation": "unique_count", "property": "job.id",
              "filters": { "region": ["eu"] }, "groupBy": ["gpu"] }
            """;

        var meter = JsonSerializer.Deserialize<MeterDefinition>(json, JsonSerializerOptions.Web)!;

        Assert.Equal(MeterAggregation.UniqueCount, meter.Aggregation);
        Assert.Equal(["eu"], meter.Filters["region"]);
        Assert.Equal(["gpu"], meter.GroupBy);
        Assert.Empty(meter.Validate());
        Assert.Contains("\"aggregation\":\"unique_count\"", JsonSerializer.Serialize(meter, JsonSerializerOptions.Web));
    }

    [Theory]
    [InlineData("\"avg\"")]
    [InlineData("\"Sum\"")]
    [InlineData("2")]
    public void AnUnknownWireAggregationFailsDeserialization(string aggregation)
    {
        var json = $$"""{ "code": "x", "aggregation": {{aggregation}} }""";

        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<MeterDefinition>(json, JsonSerializerOptions.Web));
    }

    [Fact]
    public void WireNamesRoundTrip()
    {
        foreach (var aggregation in Enum.GetValues<MeterAggregation>())
        {
            Assert.True(MeterAggregationNames.TryParse(aggregation.ToWireName(), out var parsed));
            Assert.Equal(aggregation, parsed);
        }

        Assert.Equal(["count", "sum", "max", "unique_count", "latest"], Enum.GetValues<MeterAggregation>().Select(a => a.ToWireName()));
    }

    [Fact]
    public void CompilingAnInvalidMeterThrowsWithTheErrors()
    {
        var exception = Assert.Throws<InvalidMeterException>(() => new MeterEvaluator(MeterFixtures.Define(MeterAggregation.Sum)));

        Assert.Equal("property", Assert.Single(exception.Errors).Field);
    }
}
