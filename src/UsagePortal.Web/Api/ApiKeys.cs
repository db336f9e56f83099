using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;

namespace UsagePortal.Web.Api;

/// <summary>Operator API keys: made of 32 random bytes, shown once, stored as a SHA-256 hash.</summary>
public static class ApiKeys
{
    public const string Prefix = "up_live_";

    /// <summary>A new key and its stored form. The key is high-entropy, so one SHA-256 is enough (no slow hash needed).</summary>
    public static (string Key, ApiKey Stored) Create(string name, string createdBy, DateTime now)
    {
        var key = Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (key, Stored(key, name, createdBy, now));
    }

    /// <summary>The stored form of a given key (the demo's key comes from configuration).</summary>
    public static ApiKey Stored(string key, string name, string createdBy, DateTime now) => new()
    {
        Name = name,
        Prefix = key.Length > 12 ? key[..12] : key,
        KeyHash = Hash(key),
        CreatedAt = now,
        CreatedBy = createdBy,
    };

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Every <c>/api/v1</c> endpoint needs a valid, unrevoked key as <c>Authorization: Bearer …</c>; anything else
    /// answers 401 with a problem document. The last-used time is written at most once a minute per key.
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

            var hash = Hash(header[7..].Trim());
            var db = http.RequestServices.GetRequiredService<UsagePortalDbContext>();
            var key = await db.ApiKeys.AsNoTracking().Where(k => k.KeyHash == hash).Select(k => new { k.Id, k.RevokedAt, k.LastUsedAt }).SingleOrDefaultAsync(http.RequestAborted);
            if (key is null || key.RevokedAt is not null)
            {
                // One answer for both: a different one would tell whoever holds a key whether it ever existed.
                return Unauthorized(http, "The API key is not valid: it is unknown or was revoked. An admin can create one on the API keys page.");
            }

            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
            {
                await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), http.RequestAborted);
            }

            http.Items[ApiKeyIdItem] = key.Id;
            return await next(context);
        });
        return group;
    }

    public const string ApiKeyIdItem = "UsagePortal.ApiKeyId";

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
