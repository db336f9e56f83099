using System.Text.Json;

namespace UsagePortal.Metering;

/// <summary>
/// Reading JSON strings that Utf8JsonReader accepts but cannot turn into .NET strings: escapes of lone
/// surrogates such as <c>"\ud800"</c>. The reader reports them as InvalidOperationException; this turns them
/// into an exception that carries the position, so the request can be refused like any malformed body.
/// </summary>
internal static class JsonStrings
{
    public static string Read(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new UnreadableJsonStringException(reader.TokenStartIndex, ex.Message, ex);
        }
    }
}

internal sealed class UnreadableJsonStringException(long offset, string message, Exception inner) : Exception(message, inner)
{
    /// <summary>The byte offset of the string token in the body.</summary>
    public long Offset { get; } = offset;
}
