namespace UsagePortal.Metering;

/// <summary>The parts of a Content-Type header the reader cares about: the media type and the charset.</summary>
internal readonly record struct MediaType(string? Type, string? Charset)
{
    public const string CloudEventsJson = "application/cloudevents+json";
    public const string CloudEventsBatchJson = "application/cloudevents-batch+json";
    public const string Json = "application/json";

    public static MediaType Parse(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return new MediaType(null, null);
        }

        var parts = contentType.Split(';', StringSplitOptions.TrimEntries);
        string? charset = null;
        foreach (var parameter in parts.AsSpan(1))
        {
            var equals = parameter.IndexOf('=');
            if (equals > 0 && parameter.AsSpan(0, equals).Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                charset = parameter[(equals + 1)..].Trim().Trim('"');
            }
        }

        return new MediaType(parts[0].ToLowerInvariant(), charset);
    }

    public bool Is(string type) => string.Equals(Type, type, StringComparison.Ordinal);

    /// <summary>application/json or any structured-syntax <c>+json</c> type.</summary>
    public bool IsJson => Type is not null && (Is(Json) || Type.EndsWith("+json", StringComparison.Ordinal));

    /// <summary>JSON is UTF-8 (RFC 8259); a charset parameter may only say so.</summary>
    public bool HasAcceptableCharset =>
        Charset is null
        || Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
        || Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
}
