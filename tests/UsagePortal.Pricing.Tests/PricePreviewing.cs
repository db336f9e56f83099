using System.Text.Json;

namespace UsagePortal.Pricing.Tests;

public class PricePreviewing
{
    [Fact]
    public void AnswersTheExactAmountWithAPerRangeBreakdown()
    {
        var parsed = PricePreviewJson.Parse("""
            { "charge": { "model": "graduated", "properties": { "ranges": [
                { "fromValue": "0", "toValue": "10", "perUnitAmount": "10", "flatAmount": "2" },
                { "fromValue": "11", "toValue": "20", "perUnitAmount": "5", "flatAmount": "3" },
                { "fromValue": "21", "toValue": null, "perUnitAmount": "5", "flatAmount": "3" } ] } },
              "units": "21", "eventCount": 2, "eventValues": ["10", "20"] }
            """);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));

        var result = PricePreview.Calculate(parsed.Request);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));

        using var answer = JsonDocument.Parse(PricePreviewJson.Serialize(result.Price));
        Assert.Equal("163", answer.RootElement.GetProperty("amount").GetString());
        var rows = answer.RootElement.GetProperty("breakdown").EnumerateArray().ToList();
        Assert.Equal(["102", "53", "8"], rows.Select(r => r.GetProperty("amount").GetString()));
        Assert.Equal("range", rows[2].GetProperty("kind").GetString());
        Assert.Equal("21", rows[2].GetProperty("fromValue").GetString());
        Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("toValue").ValueKind);
        Assert.Equal("1", rows[2].GetProperty("units").GetString());
    }

    [Fact]
    public void AnswersUnroundedAmounts()
    {
        var charge = new Charge(null, new StandardProperties(0.0015m));

        var result = PricePreview.Calculate(charge, 3m);

        Assert.Equal("0.0045", JsonDocument.Parse(PricePreviewJson.Serialize(result.Price!)).RootElement.GetProperty("amount").GetString());
    }

    [Fact]
    public void CountsTheEventValuesWhenNoEventCountIsGiven()
    {
        var charge = new Charge(null, new PercentageProperties(Rate: 1, FixedAmount: 0.25m));

        var result = PricePreview.Calculate(charge, 30m, eventValues: [10m, 20m]);

        Assert.Equal(0.3m + 2 * 0.25m, result.Price!.Amount);
    }

    [Fact]
    public void IgnoresEventValuesForModelsThatDoNotUseThem()
    {
        var charge = new Charge(null, new StandardProperties(2m));

        var result = PricePreview.Calculate(charge, 21m, eventCount: 2, eventValues: [10m, 20m]);

        Assert.Equal(42m, result.Price!.Amount);
    }

    [Fact]
    public void NamesChargeErrorsUnderCharge()
    {
        var parsed = PricePreviewJson.Parse("""
            { "charge": { "model": "package", "properties": { "amount": 5, "packageSize": 0 } }, "units": 3 }
            """);

        Assert.Equal("charge.properties.packageSize", Assert.Single(parsed.Errors).Field);
    }

    [Fact]
    public void NamesRequestErrorsByField()
    {
        var parsed = PricePreviewJson.Parse("""
            { "charge": { "model": "standard", "properties": { "unitAmount": 1 } }, "units": "many", "eventCount": 1.5, "eventValues": [1, "x"] }
            """);

        Assert.Equal(["units", "eventCount", "eventValues[1]"], parsed.Errors.Select(e => e.Field));
    }

    [Fact]
    public void ReportsUsageThatCannotBePriced()
    {
        var charge = new Charge(null, new PercentageProperties(Rate: 1, FreeUnitsPerEvents: 1));

        Assert.Equal("units", Assert.Single(PricePreview.Calculate(new Charge(null, new StandardProperties(1m)), -1m).Errors).Field);
        Assert.Equal("eventValues", Assert.Single(PricePreview.Calculate(charge, 30m).Errors).Field);
        Assert.Equal("units", Assert.Single(PricePreview.Calculate(charge, 31m, eventValues: [10m, 20m]).Errors).Field);
    }

    [Fact]
    public void ReportsInvalidPropertiesBuiltInCode()
    {
        var charge = new Charge(null, new PackageProperties(5m, 0m));

        Assert.Equal("charge.properties.packageSize", Assert.Single(PricePreview.Calculate(charge, 3m).Errors).Field);
    }
}
