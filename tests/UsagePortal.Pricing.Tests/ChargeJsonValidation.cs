namespace UsagePortal.Pricing.Tests;

public class ChargeJsonValidation
{
    [Fact]
    public void RejectsAnUnknownModel()
    {
        var error = Assert.Single(Errors("""{ "meter": "m", "model": "tiered", "properties": {} }"""));

        Assert.Equal("model", error.Field);
        Assert.Contains("graduated_percentage", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportsAMissingRequiredProperty() =>
        AssertSingleError("""{ "meter": "m", "model": "standard", "properties": {} }""", "properties.unitAmount", "is required");

    [Fact]
    public void ReportsMissingTopLevelFields()
    {
        var errors = Errors("""{ }""");

        Assert.Equal(["meter", "model", "properties"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ReportsAValueThatIsNotANumber() =>
        AssertSingleError(
            """{ "meter": "m", "model": "graduated", "properties": { "ranges": [ { "fromValue": 0, "toValue": 10, "perUnitAmount": 1 }, { "fromValue": 11, "toValue": null, "perUnitAmount": "ten" } ] } }""",
            "properties.ranges[1].perUnitAmount",
            "must be a decimal number");

    [Theory]
    [InlineData("true")]
    [InlineData("\"1,5\"")]
    [InlineData("\" 1\"")]
    [InlineData("\"NaN\"")]
    [InlineData("[1]")]
    public void RefusesValuesThatAreNotPlainDecimalNumbers(string value) =>
        AssertSingleError(
            $$"""{ "meter": "m", "model": "standard", "properties": { "unitAmount": {{value}} } }""",
            "properties.unitAmount",
            "must be a decimal number");

    [Fact]
    public void RejectsNegativePrices()
    {
        var errors = Errors("""
            { "meter": "m", "model": "graduated", "properties": { "ranges": [
              { "fromValue": 0, "toValue": 10, "perUnitAmount": -1, "flatAmount": 0 },
              { "fromValue": 10, "toValue": null, "perUnitAmount": 1, "flatAmount": "-0.01" } ] } }
            """);

        Assert.Equal(["properties.ranges[0].perUnitAmount", "properties.ranges[1].flatAmount"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("must not be negative", e.Reason));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-10")]
    public void RejectsAPackageSizeThatIsNotAboveZero(string size) =>
        AssertSingleError(
            $$"""{ "meter": "m", "model": "package", "properties": { "amount": 5, "packageSize": {{size}} } }""",
            "properties.packageSize",
            "greater than zero");

    [Fact]
    public void RejectsOverlappingRanges() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 10 }, { "fromValue": 5, "toValue": null }"""),
            "properties.ranges[1].fromValue", "overlaps");

    [Fact]
    public void RejectsRangesOutOfOrder() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 20 }, { "fromValue": 21, "toValue": 10 }, { "fromValue": 11, "toValue": null }"""),
            "properties.ranges[1].toValue", "ascending order");

    [Fact]
    public void RejectsAGapBetweenRanges() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 10 }, { "fromValue": 15, "toValue": null }"""),
            "properties.ranges[1].fromValue", "gap");

    [Fact]
    public void RejectsAStartThatIsNeitherAdjacentNorIntegerStyle() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 10 }, { "fromValue": 10.5, "toValue": null }"""),
            "properties.ranges[1].fromValue", "adjacent style");

    [Fact]
    public void AcceptsIntegerAndAdjacentStyleStarts()
    {
        Assert.Empty(Errors(Ranges("""{ "fromValue": 0, "toValue": 10 }, { "fromValue": 11, "toValue": 20 }, { "fromValue": 20, "toValue": null }""")));
        Assert.Empty(Errors(Ranges("""{ "fromValue": 0, "toValue": 0.1 }, { "fromValue": 0.1, "toValue": 1 }, { "fromValue": 1, "toValue": null }""")));
    }

    [Fact]
    public void RejectsAFirstRangeThatDoesNotStartAtZero() =>
        AssertSingleError(Ranges("""{ "fromValue": 1, "toValue": 10 }, { "fromValue": 11, "toValue": null }"""),
            "properties.ranges[0].fromValue", "start at 0");

    [Fact]
    public void RejectsABoundedLastRange() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 10 }, { "fromValue": 11, "toValue": 20 }"""),
            "properties.ranges[1].toValue", "last range must be unbounded");

    [Fact]
    public void RejectsAnUnboundedRangeThatIsNotLast() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": null }, { "fromValue": 11, "toValue": null }"""),
            "properties.ranges[0].toValue", "only the last range may be unbounded");

    [Fact]
    public void RejectsAnEmptyListOfRanges() =>
        AssertSingleError(Ranges(""), "properties.ranges", "at least one range");

    [Fact]
    public void RejectsARangeThatCoversNoUnits() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 0.1 }, { "fromValue": 0.1, "toValue": 0.1 }, { "fromValue": 0.1, "toValue": null }"""),
            "properties.ranges[1].toValue", "not empty");

    [Fact]
    public void RejectsATopBelowTheWrittenStart() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": 10 }, { "fromValue": 11, "toValue": 10.5 }, { "fromValue": 10.5, "toValue": null }"""),
            "properties.ranges[1].toValue", "must not be less than fromValue");

    [Fact]
    public void RejectsAMinimumAboveTheMaximum() =>
        AssertSingleError(
            """{ "meter": "m", "model": "percentage", "properties": { "rate": 1, "perTransactionMinAmount": 5, "perTransactionMaxAmount": "4.99" } }""",
            "properties.perTransactionMinAmount", "must not be greater than perTransactionMaxAmount");

    [Fact]
    public void RejectsAFractionalNumberOfFreeEvents() =>
        AssertSingleError(
            """{ "meter": "m", "model": "percentage", "properties": { "rate": 1, "freeUnitsPerEvents": 2.5 } }""",
            "properties.freeUnitsPerEvents", "whole number");

    [Fact]
    public void RejectsAMisspeltPropertyInsteadOfDefaultingIt() =>
        AssertSingleError(Ranges("""{ "fromValue": 0, "toValue": null, "flatAmmount": 5 }"""),
            "properties.ranges[0].flatAmmount", "is not a property of a range");

    [Fact]
    public void RejectsAPropertyOfAnotherModel() =>
        AssertSingleError("""{ "meter": "m", "model": "standard", "properties": { "unitAmount": 1, "packageSize": 10 } }""",
            "properties.packageSize", "is not a property of the standard model");

    [Fact]
    public void RejectsADuplicatedProperty() =>
        AssertSingleError("""{ "meter": "m", "model": "standard", "properties": { "unitAmount": 1, "unitAmount": 2 } }""",
            "properties.unitAmount", "more than once");

    [Fact]
    public void RejectsANegativeRateInAGraduatedPercentageRange() =>
        AssertSingleError(
            """{ "meter": "m", "model": "graduated_percentage", "properties": { "ranges": [ { "fromValue": 0, "toValue": null, "rate": "-1" } ] } }""",
            "properties.ranges[0].rate", "must not be negative");

    [Fact]
    public void TreatsNullOptionalPropertiesAsAbsentButNullRequiredOnesAsMissing()
    {
        var parsed = ChargeJson.Parse("""
            { "meter": "m", "model": "percentage", "properties": { "rate": 1, "fixedAmount": null, "perTransactionMinAmount": null } }
            """);

        Assert.Equal(new PercentageProperties(1m), parsed.Charge!.Properties);
        AssertSingleError("""{ "meter": "m", "model": "percentage", "properties": { "rate": null } }""", "properties.rate", "is required");
    }

    [Fact]
    public void ReportsEveryErrorInOneAnswer()
    {
        var errors = Errors("""
            { "model": "graduated", "properties": { "ranges": [
              { "fromValue": 0, "toValue": 10, "perUnitAmount": "x" },
              { "fromValue": 5, "toValue": 20, "perUnitAmount": -2 },
              { "fromValue": 21, "toValue": 30, "perUnitAmount": 1 } ] } }
            """);

        Assert.Equal(
            [
                "meter",
                "properties.ranges[0].perUnitAmount",
                "properties.ranges[1].perUnitAmount",
                "properties.ranges[1].fromValue",
                "properties.ranges[2].toValue",
            ],
            errors.Select(e => e.Field));
    }

    [Fact]
    public void RequiresAMeterForAPlanChargeButNotForAPreview()
    {
        const string json = """{ "model": "standard", "properties": { "unitAmount": 1 } }""";

        Assert.Equal("meter", Assert.Single(ChargeJson.Parse(json).Errors).Field);
        Assert.True(ChargeJson.Parse(json, meterRequired: false).IsValid);
    }

    [Theory]
    [InlineData("{ \"meter\": ")]
    [InlineData("[]")]
    [InlineData("42")]
    public void RejectsADocumentThatIsNotAChargeObject(string json) =>
        Assert.Equal("$", Assert.Single(ChargeJson.Parse(json).Errors).Field);

    [Fact]
    public void AppliesTheSameRulesToPropertiesBuiltInCode()
    {
        var properties = new VolumeProperties([new PriceRange(0, 10, -1), new PriceRange(5, 20, 1)]);

        var errors = ChargeValidator.Validate(properties);

        Assert.Equal(
            ["properties.ranges[0].perUnitAmount", "properties.ranges[1].fromValue", "properties.ranges[1].toValue"],
            errors.Select(e => e.Field));
        var exception = Assert.Throws<InvalidChargeException>(() => PricingStrategyFactory.Create(properties));
        Assert.Equal(errors, exception.Errors);
    }

    private static string Ranges(string ranges) =>
        $$"""{ "meter": "m", "model": "graduated", "properties": { "ranges": [ {{AddPrices(ranges)}} ] } }""";

    private static string AddPrices(string ranges) =>
        ranges.Replace(" }", ", \"perUnitAmount\": 1 }", StringComparison.Ordinal);

    private static IReadOnlyList<ValidationError> Errors(string json) => ChargeJson.Parse(json).Errors;

    private static void AssertSingleError(string json, string field, string reasonPart)
    {
        var errors = Errors(json);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(reasonPart, error.Reason, StringComparison.Ordinal);
    }
}
