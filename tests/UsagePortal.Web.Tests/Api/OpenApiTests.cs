using System.Net;
using System.Text.Json;

namespace UsagePortal.Web.Tests.Api;

/// <summary>The served OpenAPI document describes the metering endpoints an operator's backend calls.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class OpenApiTests(MeteringPortal portal)
{
    [Fact]
    public async Task TheDocumentDescribesTheEventsEndpointsContentTypesAndTheOtherEndpoints()
    {
        using var client = await portal.AnonymousClientAsync();

        using var response = await client.GetAsync("/api/v1/openapi.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        var body = paths.GetProperty("/api/v1/events").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.Equal(
            new[] { "application/cloudevents+json", "application/cloudevents-batch+json", "application/json" },
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(paths.GetProperty("/api/v1/meters").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/v1/meters").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/v1/customers/{externalId}/usage").TryGetProperty("get", out _));
    }
}
