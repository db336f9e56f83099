using static UsagePortal.Metering.Tests.MeterFixtures;

namespace UsagePortal.Metering.Tests;

/// <summary>PRODUCT.md "Event values": what a meter reads must be a value it can use, or the batch is refused.</summary>
public class MeterValueTests
{
    private static readonly MeterEvaluator SumTokens = new(Define(MeterAggregation.Sum, "tokens"));

    [Theory]
    [InlineData("1e400")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"-Infinity\"")]
    [InlineData("1e30")]
    [InlineData("79228162514264337593543950336")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{\"a\":1}")]
    [InlineData("[1]")]
    [InlineData("\"0x10\"")]
    [InlineData("\"12 tokens\"")]
    [InlineData("1.2345678901234567890123456789012")]
    [InlineData("1000000000000000.1")]
    [InlineData("0.0000000000001")]
    [InlineData("1e-13")]
    public void ASummedValueAMeterCannotUseIsNamedWithItsMeter(string value)
    {
        var problem = Assert.Single(SumTokens.Check(Event($$"""{"tokens":{{value}}}""")));

        Assert.Equal("data.tokens", problem.Field);
        Assert.Contains("at most 12 decimal places", problem.Reason);
        Assert.Contains("meter 'api_tokens' sums it", problem.Reason);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"12.5\"")]
    [InlineData("1e3")]
    [InlineData("1000000000000000")]
    [InlineData("-1000000000000000")]
    [InlineData("0.000000000001")]
    [InlineData("2.500000000000000000")]
    [InlineData("999999999999999.999999999999")]
    public void AFiniteDecimalWithinBoundsIsFine(string value)
    {
        Assert.Empty(SumTokens.Check(Event($$"""{"tokens":{{value}}}""")));
    }

    [Fact]
    public void AMissingPropertyIsNoProblemItJustDoesNotCount()
    {
        Assert.Empty(SumTokens.Check(Event("""{"other":"x"}""")));
        Assert.Equal(MeterSkipReason.PropertyMissing, Skip(SumTokens.Meter, Event("""{"other":"x"}""")));
    }

    [Fact]
    public void AnEventOfAnotherTypeOrFilteredOutIsNotChecked()
    {
        var filtered = new MeterEvaluator(Define(MeterAggregation.Sum, "tokens", filters: new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["eu"] }));

        Assert.Empty(SumTokens.Check(Event("""{"tokens":"NaN"}""", type: "other.call")));
        Assert.Empty(filtered.Check(Event("""{"region":"us","tokens":"NaN"}""")));
        Assert.Single(filtered.Check(Event("""{"region":"eu","tokens":"NaN"}""")));
    }

    [Fact]
    public void AGroupByValueLongerThan256CharactersIsRefused()
    {
        var grouped = new MeterEvaluator(Define(MeterAggregation.Count, groupBy: ["region"]));

        Assert.Empty(grouped.Check(Event($$"""{"region":"{{new string('r', 256)}}"}""")));
        var problem = Assert.Single(grouped.Check(Event($$"""{"region":"{{new string('r', 257)}}"}""")));
        Assert.Equal("data.region", problem.Field);
        Assert.Contains("257 characters", problem.Reason);
        Assert.Contains("groups by it", problem.Reason);
    }

    [Fact]
    public void AFilteredOrUniqueCountedValueLongerThan256CharactersIsRefused()
    {
        var filtered = new MeterEvaluator(Define(MeterAggregation.Count, filters: new Dictionary<string, IReadOnlyList<string>> { ["plan"] = ["pro"] }));
        var unique = new MeterEvaluator(Define(MeterAggregation.UniqueCount, "user"));
        var longText = new string('u', 300);

        Assert.Equal("data.plan", Assert.Single(filtered.Check(Event($$"""{"plan":"{{longText}}"}"""))).Field);
        Assert.Equal("data.user", Assert.Single(unique.Check(Event($$"""{"user":"{{longText}}"}"""))).Field);
        Assert.Empty(unique.Check(Event("""{"user":"u-1"}""")));
    }
}
