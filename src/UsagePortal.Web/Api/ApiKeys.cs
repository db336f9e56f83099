using UsagePortal.Data.Metering;
using UsagePortal.Domain.ApiKeys;

namespace UsagePortal.Web.Api;

/// <summary>
/// Operator API keys on the HTTP side: the <c>/api/v1</c> authentication filter and the actor name of a request. How a
/// key is made, stored and checked is <see cref="ApiKeyService"/>'s; the static helpers here forward to it for the
/// seeders and tests that store a known key.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = ApiKeyService.KeyPrefix;

    public const string ApiKeyIdItem = "UsagePortal.ApiKeyId";

    /// <summary>A new key and its stored form.</summary>
    public static (string Key, ApiKey Stored) Create(string name, string createdBy, DateTime now) => ApiKeyService.NewKey(name, createdBy, now);

    /// <summary>The stored form of a given key (the demo's key comes from configuration).</summary>
    public static ApiKey Stored(string key, string name, string createdBy, DateTime now) => ApiKeyService.Stored(key, name, createdBy, now);

    public static string Hash(string key) => ApiKeyService.Hash(key);

    /// <summary>
    /// Every <c>/api/v1</c> endpoint needs a valid, unrevoked key as <c>Authorization: Bearer …</c>; anything else
    /// answers 401 with a problem document.
    /// </summary>
    public static RouteGroupBuilder RequireOperatorKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            {
                return Unauthorized(http, "Send an operator API key as 'Authorization: Bearer <key>'.");
            }

            var keys = http.RequestServices.GetRequiredService<ApiKeyService>();
            if (await keys.AuthenticateAsync(header[7..], http.RequestAborted) is not { } keyId)
            {
                // One answer for both: a different one would tell whoever holds a key whether it ever existed.
                return Unauthorized(http, "The API key is not valid: it is unknown or was revoked. An admin can create one on the API keys page.");
            }

            http.Items[ApiKeyIdItem] = keyId;
            return await next(context);
        });
        return group;
    }

    /// <summary>The operator key that made a request, as audit entries and <c>CreatedBy</c> columns name it.</summary>
    public static string Actor(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"api-key:{request.HttpContext.Items[ApiKeyIdItem]}";
    }

    private static IResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }
}
