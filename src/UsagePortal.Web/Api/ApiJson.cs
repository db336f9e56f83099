using System.Text.Json;

namespace UsagePortal.Web.Api;

public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Reads a JSON body into <typeparamref name="T"/>, or a 400 problem naming what is wrong with it.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null
                ? (null, Problems.Validation("The body is empty.", [new ProblemError("body", "Send a JSON object.")]))
                : (value, null);
        }
        catch (JsonException exception)
        {
            var field = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "body" : exception.Path.TrimStart('$', '.');
            return (null, Problems.Validation("The body is not valid JSON for this request.", [new ProblemError(field, exception.Message.Split(" Path:")[0])]));
        }
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
            return (null, Problems.Validation("The body is not valid JSON.", [new ProblemError("body", exception.Message.Split(" Path:")[0])]));
        }
    }

    /// <summary>Decimals leave the API as strings, so that no client parses money or quantities as binary floats.</summary>
    public static string Decimal(decimal value) => Normalize(value).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The same value without trailing zeros in its scale (SQLite hands 12 back as 12.0).</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
