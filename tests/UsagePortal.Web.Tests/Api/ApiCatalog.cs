using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Web.Api;

namespace UsagePortal.Web.Tests.Api;

/// <summary>The operator API's endpoints as the app maps them, each as a request with its route values filled in.</summary>
internal static class ApiCatalog
{
    /// <summary>Served without a key on purpose: the API's description is public.</summary>
    public const string OpenApiDocument = "/api/v1/openapi.json";

    /// <summary>
    /// Every endpoint under /api/v1 but its description and Stripe's webhook (Stripe signs its requests instead: a request
    /// without a valid Stripe-Signature answers 400 and stores nothing, see StripeWebhookTests).
    /// </summary>
    public static List<(string Method, string Path)> KeyedEndpoints(IServiceProvider services)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').StartsWith("api/v1/", StringComparison.Ordinal) && "/" + raw.TrimStart('/') != OpenApiDocument && "/" + raw.TrimStart('/') != StripeWebhookEndpoints.Path)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, "/" + string.Join('/', e.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    _ => "some-value",
                })))))))
            .Distinct()
            .ToList();
        Assert.Contains(("POST", "/api/v1/events"), endpoints);
        Assert.Contains(("GET", "/api/v1/customers/some-value/usage"), endpoints);
        Assert.Contains(("POST", "/api/v1/subscriptions/some-value/plan/preview"), endpoints);
        return endpoints;
    }
}
