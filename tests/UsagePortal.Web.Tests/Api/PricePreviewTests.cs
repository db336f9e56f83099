using System.Net;
using System.Text;
using System.Text.Json;

namespace UsagePortal.Web.Tests.Api;

/// <summary>POST /api/v1/price-preview answers from the rating engine over HTTP.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class PricePreviewTests(MeteringPortal portal)
{
    private const string WorkedGraduated = """
        { "charge": { "model": "graduated", "properties": { "ranges": [
            { "fromValue": "0",  "toValue": "10", "perUnitAmount": "10", "flatAmount": "2" },
            { "fromValue": "11", "toValue": "20", "perUnitAmount": "5",  "flatAmount": "3" },
            { "fromValue": "21", "toValue": null, "perUnitAmount": "5",  "flatAmount": "3" } ] } },
          "units": "21" }
        """;

    [Fact]
    public async Task TheWorkedGraduatedExampleCosts163WithABreakdownPerRange()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/price-preview", Json(WorkedGraduated));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("163", answer.GetProperty("amount").GetString());
        Assert.Equal(3, answer.GetProperty("breakdown").GetArrayLength());
        Assert.Equal(163m, answer.GetProperty("breakdown").EnumerateArray().Sum(row => decimal.Parse(row.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task APercentageChargeUsesTheEventValues()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/price-preview", Json("""
            { "charge": { "model": "percentage", "properties": { "rate": "1.3", "fixedAmount": "0.1" } },
              "units": "30", "eventCount": 2, "eventValues": ["10", "20"] }
            """));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0.59m, decimal.Parse(answer.GetProperty("amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ABoundedLastRangeIsRefusedNamingTheField()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/price-preview", Json(WorkedGraduated.Replace("\"toValue\": null", "\"toValue\": \"30\"", StringComparison.Ordinal)));
        var problem = await MeteringApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.Contains(problem.Errors, e => e.Field.Contains("ranges[2].toValue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingUnitsAndAnUnknownModelAreEachNamed()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/price-preview", Json("""{ "charge": { "model": "magic", "properties": {} } }"""));
        var problem = await MeteringApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.Contains(problem.Errors, e => e.Field == "units");
        Assert.Contains(problem.Errors, e => e.Field.EndsWith("model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedJsonAndAWrongContentTypeAreProblems()
    {
        using var client = await portal.ApiClientAsync();

        using var malformed = await client.PostAsync("/api/v1/price-preview", Json("{ \"charge\": "));
        using var text = await client.PostAsync("/api/v1/price-preview", new StringContent(WorkedGraduated, Encoding.UTF8, "text/plain"));

        await MeteringApi.AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        await MeteringApi.AssertProblemAsync(text, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AnAmountTooLargeToComputeIsA400NamingUnitsNotA500()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.PostAsync("/api/v1/price-preview", Json("""
            { "charge": { "model": "standard", "properties": { "unitAmount": "79228162514264337593543950335" } },
              "units": "79228162514264337593543950335" }
            """));
        var problem = await MeteringApi.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        var error = Assert.Single(problem.Errors);
        Assert.Equal("units", error.Field);
        Assert.Contains("too large to compute", error.Reason, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
