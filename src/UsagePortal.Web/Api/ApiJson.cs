using System.Text.Json;
using UsagePortal.Domain;

namespace UsagePortal.Web.Api;

public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>
    /// Reads a JSON body into <typeparamref name="T"/>, or a 400 problem naming what is wrong with it. A value of the
    /// wrong kind is explained in the API's words (<paramref name="fieldReasons"/> for a field, else by the kind of
    /// value the field takes), never with the .NET type the serializer names.
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? fieldReasons = null) where T : class
    {
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null
                ? (null, Problems.Validation("The body is empty.", [new FieldError("body", "Send a JSON object.")]))
                : (value, null);
        }
        catch (JsonException exception)
        {
            var field = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "body" : exception.Path.TrimStart('$', '.');
            var reason = fieldReasons?.GetValueOrDefault(field) is { } given && exception.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? given
                : HumanReason(typeof(T), field, exception.Message.Split(" Path:")[0]);
            return (null, Problems.Validation("The body is not valid JSON for this request.", [new FieldError(field, reason)]));
        }
    }

    /// <summary>The serializer's "could not be converted to System.Nullable`1[System.Decimal]", said as what the field takes.</summary>
    private static string HumanReason(Type target, string field, string message)
    {
        if (!message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return message;
        }

        var property = target.GetProperties().FirstOrDefault(p => string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase));
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type == typeof(decimal) => "must be a decimal number, such as \"12.5\".",
            _ when type == typeof(int) || type == typeof(long) => "must be a whole number, such as 3.",
            _ when type == typeof(bool) => "must be true or false.",
            _ when type == typeof(string) => "must be a string.",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "must be an RFC 3339 time, such as \"2026-09-01T00:00:00Z\".",
            _ => "does not have the kind of value this field takes.",
        };
    }

    /// <summary>
    /// Parses a JSON body as a document, for requests whose decimals may be strings or numbers and whose errors the
    /// domain names field by field; or a 415/400 problem.
    /// </summary>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadDocumentAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        }

        try
        {
            return (await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken), null);
        }
        catch (JsonException exception)
        {
            return (null, Problems.Validation("The body is not valid JSON.", [new FieldError("body", exception.Message.Split(" Path:")[0])]));
        }
    }
}
