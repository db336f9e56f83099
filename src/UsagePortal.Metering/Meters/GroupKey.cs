using System.Text.Json;

namespace UsagePortal.Metering;

/// <summary>
/// The canonical text of a group: a compact JSON object of group-by property → value text, keys sorted
/// ordinally, missing values as <c>null</c>, e.g. <c>{"model":"gpt","region":"eu"}</c>; the empty string
/// for a meter without group-by. The same values always give the same text, whatever order the event's
/// keys came in, so the key can be a database column.
/// </summary>
/// <remarks>
/// Values are text (see <see cref="DataValue.Text"/>): the number 3 and the string "3" share a group, while
/// 3 and 3.0 do not. Only <c>"</c>, <c>\</c> and control characters are escaped.
/// </remarks>
public static class GroupKey
{
    /// <summary>The key of a meter without group-by.</summary>
    public const string None = "";

    /// <summary>Formats a group key from property → value text (null for missing).</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.OrderBy(pair => pair.Key, StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0)
        {
            return None;
        }

        var prefixes = new string[sorted.Length];
        var texts = new string?[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            prefixes[i] = MemberPrefix(sorted[i].Key, first: i == 0);
            texts[i] = sorted[i].Value;
        }

        return Build(prefixes, texts);
    }

    /// <summary>Reads a group key back into property → value text.</summary>
    /// <exception cref="JsonException">The text is not a group key.</exception>
    public static IReadOnlyDictionary<string, string?> Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (key.Length == 0)
        {
            return result;
        }

        using var document = JsonDocument.Parse(key);
        foreach (var member in document.RootElement.EnumerateObject())
        {
            result[member.Name] = member.Value.ValueKind == JsonValueKind.Null ? null : member.Value.GetString();
        }

        return result;
    }

    /// <summary>The text written before a member's value: <c>{"name":</c> for the first, <c>,"name":</c> after.</summary>
    internal static string MemberPrefix(string name, bool first) =>
        string.Concat(first ? "{\"" : ",\"", Escape(name), "\":");

    /// <summary>Joins precomputed member prefixes (in key order) with the values; one allocation.</summary>
    internal static string Build(string[] prefixes, string?[] values)
    {
        var length = 1;
        for (var i = 0; i < prefixes.Length; i++)
        {
            length += prefixes[i].Length + (values[i] is { } value ? EscapedLength(value) + 2 : 4);
        }

        return string.Create(length, (prefixes, values), static (span, state) =>
        {
            var position = 0;
            for (var i = 0; i < state.prefixes.Length; i++)
            {
                state.prefixes[i].CopyTo(span[position..]);
                position += state.prefixes[i].Length;
                if (state.values[i] is { } value)
                {
                    span[position++] = '"';
                    position += WriteEscaped(value, span[position..]);
                    span[position++] = '"';
                }
                else
                {
                    "null".CopyTo(span[position..]);
                    position += 4;
                }
            }

            span[position] = '}';
        });
    }

    private static string Escape(string text)
    {
        var length = EscapedLength(text);
        if (length == text.Length)
        {
            return text;
        }

        return string.Create(length, text, static (span, value) => WriteEscaped(value, span));
    }

    private static int EscapedLength(string text)
    {
        var length = text.Length;
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                length += 1;
            }
            else if (c < ' ')
            {
                length += 5;
            }
        }

        return length;
    }

    private static int WriteEscaped(string text, Span<char> destination)
    {
        var position = 0;
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                destination[position++] = '\\';
                destination[position++] = c;
            }
            else if (c < ' ')
            {
                destination[position++] = '\\';
                destination[position++] = 'u';
                destination[position++] = '0';
                destination[position++] = '0';
                destination[position++] = HexDigit(c >> 4);
                destination[position++] = HexDigit(c & 0xF);
            }
            else
            {
                destination[position++] = c;
            }
        }

        return position;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
