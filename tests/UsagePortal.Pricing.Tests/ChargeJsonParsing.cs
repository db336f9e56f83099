using System.Text.Json;

namespace UsagePortal.Pricing.Tests;

public class ChargeJsonParsing
{
    private const string SpecExample = """
        { "meter": "api_calls", "model": "graduated",
          "properties": { "ranges": [
            { "fromValue": "0",  "toValue": "10", "perUnitAmount": "10", "flatAmount": "2" },
            { "fromValue": "11", "toValue": null, "perUnitAmount": "5",  "flatAmount": "3" } ] } }
        """;

    [Fact]
    public void ParsesTheGraduatedExampleOfTheSpec()
    {
        var result = ChargeJson.Parse(SpecExample);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal("api_calls", result.Charge.Meter);
        var properties = Assert.IsType<GraduatedProperties>(result.Charge.Properties);
        Assert.Equal(
            new GraduatedProperties([new PriceRange(0, 10, 10, 2), new PriceRange(11, null, 5, 3)]),
            properties);
    }

    [Fact]
    public void AcceptsDecimalsAsJsonNumbersOrStrings()
    {
        var fromNumbers = ChargeJson.Parse("""
            { "meter": "m", "model": "package", "properties": { "amount": 2.5, "packageSize": 10, "freeUnits": 1e1 } }
            """);
        var fromStrings = ChargeJson.Parse("""
            { "meter": "m", "model": "package", "properties": { "amount": "2.5", "packageSize": "10", "freeUnits": "10" } }
            """);

        Assert.True(fromNumbers.IsValid, string.Join("; ", fromNumbers.Errors));
        Assert.Equal(new PackageProperties(2.5m, 10m, 10m), fromNumbers.Charge.Properties);
        Assert.Equal(fromNumbers.Charge, fromStrings.Charge);
    }

    [Fact]
    public void ReadsNumbersFromTheirTextWithoutBinaryFloatingPoint()
    {
        // Through double this number would come back as 12345678901234568.
        Assert.Equal(12345678901234567.89m, ParseUnitAmount("12345678901234567.89"));
        Assert.Equal(0.3m, ParseUnitAmount("0.1") + ParseUnitAmount("0.2"));
    }

    [Fact]
    public void WritesDecimalsBackAsStringsKeepingTheirScale()
    {
        var charge = ChargeJson.Parse("""
            { "meter": "m", "model": "standard", "properties": { "unitAmount": 0.10 } }
            """).Charge!;

        Assert.Equal("""{"meter":"m","model":"standard","properties":{"unitAmount":"0.10"}}""", ChargeJson.Serialize(charge));
    }

    [Fact]
    public void WritesTheSpecShapeWithNullForAnUnboundedTop()
    {
        var json = ChargeJson.Serialize(ChargeJson.Parse(SpecExample).Charge!);

        using var document = JsonDocument.Parse(json);
        var ranges = document.RootElement.GetProperty("properties").GetProperty("ranges");
        Assert.Equal("10", ranges[0].GetProperty("toValue").GetString());
        Assert.Equal(JsonValueKind.Null, ranges[1].GetProperty("toValue").ValueKind);
        Assert.Equal("5", ranges[1].GetProperty("perUnitAmount").GetString());
    }

    public static TheoryData<string> EveryModel => new()
    {
        """{ "meter": "m", "model": "standard", "properties": { "unitAmount": 0.0015 } }""",
        """{ "meter": "m", "model": "graduated", "properties": { "ranges": [ { "fromValue": 0, "toValue": 0.1, "perUnitAmount": "3" }, { "fromValue": "0.1", "perUnitAmount": 1, "flatAmount": 2 } ] } }""",
        """{ "meter": "m", "model": "volume", "properties": { "ranges": [ { "fromValue": 0, "toValue": 100, "perUnitAmount": 2, "flatAmount": "10" }, { "fromValue": 101, "toValue": null, "perUnitAmount": "1.5", "flatAmount": 0 } ] } }""",
        """{ "meter": "m", "model": "package", "properties": { "amount": 5, "packageSize": 10 } }""",
        """{ "meter": "m", "model": "percentage", "properties": { "rate": "1.3", "fixedAmount": 0.3, "freeUnitsPerEvents": 3, "freeUnitsPerTotalAggregation": "250", "perTransactionMinAmount": "0.5", "perTransactionMaxAmount": 12 } }""",
        """{ "meter": "m", "model": "percentage", "properties": { "rate": 2 } }""",
        """{ "meter": "m", "model": "graduated_percentage", "properties": { "ranges": [ { "fromValue": 0, "toValue": 1000, "rate": 2, "flatAmount": "0.5" }, { "fromValue": 1001, "toValue": null, "rate": "1" } ] } }""",
    };

    [Theory]
    [MemberData(nameof(EveryModel))]
    public void RoundTripsEveryModelThroughItsSerializedForm(string json)
    {
        var parsed = ChargeJson.Parse(json);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));

        var serialized = ChargeJson.Serialize(parsed.Charge);
        var reparsed = ChargeJson.Parse(serialized);

        Assert.True(reparsed.IsValid, string.Join("; ", reparsed.Errors));
        Assert.Equal(parsed.Charge, reparsed.Charge);
        Assert.Equal(serialized, ChargeJson.Serialize(reparsed.Charge));
        using var document = JsonDocument.Parse(serialized);
        Assert.All(NumberFields(document.RootElement), name => Assert.Equal("freeUnitsPerEvents", name));
    }

    [Fact]
    public void WritesFreeUnitsPerEventsAsAnInteger()
    {
        var charge = new Charge("m", new PercentageProperties(1m, FreeUnitsPerEvents: 3));

        Assert.Contains("\"freeUnitsPerEvents\":3", ChargeJson.Serialize(charge), StringComparison.Ordinal);
    }

    [Fact]
    public void IgnoresExtraFieldsBesideTheChargeButNotInsideProperties()
    {
        var result = ChargeJson.Parse("""
            { "meter": "m", "model": "standard", "invoiceDisplayName": "API", "properties": { "unitAmount": 1 } }
            """);

        Assert.True(result.IsValid);
    }

    /// <summary>Names of every field holding a JSON number: decimals must all have been written as strings.</summary>
    private static IEnumerable<string> NumberFields(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p =>
            p.Value.ValueKind == JsonValueKind.Number ? [p.Name] : NumberFields(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(NumberFields),
        _ => [],
    };

    private static decimal ParseUnitAmount(string number) =>
        Assert.IsType<StandardProperties>(ChargeJson.Parse(
            $$"""{ "meter": "m", "model": "standard", "properties": { "unitAmount": {{number}} } }""").Charge!.Properties).UnitAmount;
}
