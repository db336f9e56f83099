using System.Text;
using System.Text.Json;

namespace UsagePortal.Metering;

/// <summary>
/// The parsed properties of an event's <c>data</c> object, read by meters through a <see cref="PropertyPath"/>.
/// </summary>
/// <remarks>
/// Data is parsed once, when the request is read, into a flat array in document order where every node
/// knows where its subtree ends: a lookup walks only the siblings at each level and allocates nothing.
/// A key that appears twice in one object resolves to its last occurrence, as in System.Text.Json and
/// PostgreSQL <c>jsonb</c>. Keys that contain a dot cannot be addressed by a dotted path.
/// </remarks>
public sealed class EventData
{
    private readonly DataNode[] nodes;

    private EventData(DataNode[] nodes) => this.nodes = nodes;

    /// <summary>The data of an event sent without <c>data</c>: an empty object.</summary>
    public static EventData Empty { get; } = new([]);

    /// <summary>Parses the JSON text of a data object, e.g. one read back from storage.</summary>
    /// <exception cref="JsonException">The text is not valid JSON.</exception>
    /// <exception cref="ArgumentException">The JSON is valid but not an object.</exception>
    public static EventData Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ArgumentException("Event data must be a JSON object.", nameof(json));
        }

        try
        {
            var data = ReadObject(ref reader, utf8, []);
            if (reader.Read())
            {
                throw new ArgumentException("Event data must hold a single JSON object.", nameof(json));
            }

            return data;
        }
        catch (UnreadableJsonStringException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    /// <summary>Finds the value at a path such as <c>tokens</c> or <c>usage.tokens</c>.</summary>
    public bool TryGetValue(PropertyPath path, out DataValue value)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Segments;
        var start = 0;
        var end = nodes.Length;
        var found = -1;
        for (var level = 0; level < segments.Count; level++)
        {
            found = -1;
            var name = segments[level];
            for (var i = start; i < end; i = nodes[i].SubtreeEnd)
            {
                if (string.Equals(nodes[i].Name, name, StringComparison.Ordinal))
                {
                    found = i;
                }
            }

            if (found < 0 || (level < segments.Count - 1 && nodes[found].Kind != JsonValueKind.Object))
            {
                value = default;
                return false;
            }

            start = found + 1;
            end = nodes[found].SubtreeEnd;
        }

        value = new DataValue(nodes[found].Kind, nodes[found].Text);
        return true;
    }

    /// <summary>Finds the value at a dotted path given as text.</summary>
    /// <exception cref="ArgumentException">The path is not a valid property path.</exception>
    public bool TryGetValue(string path, out DataValue value) => TryGetValue(PropertyPath.Parse(path), out value);

    /// <summary>
    /// Reads the object the reader stands on (a <see cref="JsonTokenType.StartObject"/> token) and leaves the
    /// reader on its <see cref="JsonTokenType.EndObject"/>. <paramref name="source"/> is the whole buffer the
    /// reader reads, used to copy the raw text of nested objects and arrays.
    /// </summary>
    internal static EventData ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, List<DataNode> scratch)
    {
        scratch.Clear();
        ReadMembers(ref reader, source, scratch);
        return scratch.Count == 0 ? Empty : new EventData([.. scratch]);
    }

    private static void ReadMembers(ref Utf8JsonReader reader, ReadOnlySpan<byte> source, List<DataNode> nodes)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonStrings.Read(ref reader);
            reader.Read();
            var index = nodes.Count;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var objectStart = (int)reader.TokenStartIndex;
                    nodes.Add(default);
                    ReadMembers(ref reader, source, nodes);
                    nodes[index] = new DataNode(name, nodes.Count, JsonValueKind.Object, RawText(source, objectStart, ref reader));
                    break;
                case JsonTokenType.StartArray:
                    var arrayStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    nodes.Add(new DataNode(name, index + 1, JsonValueKind.Array, RawText(source, arrayStart, ref reader)));
                    break;
                case JsonTokenType.String:
                    nodes.Add(new DataNode(name, index + 1, JsonValueKind.String, JsonStrings.Read(ref reader)));
                    break;
                case JsonTokenType.Number:
                    nodes.Add(new DataNode(name, index + 1, JsonValueKind.Number, Encoding.UTF8.GetString(reader.ValueSpan)));
                    break;
                case JsonTokenType.True:
                    nodes.Add(new DataNode(name, index + 1, JsonValueKind.True, "true"));
                    break;
                case JsonTokenType.False:
                    nodes.Add(new DataNode(name, index + 1, JsonValueKind.False, "false"));
                    break;
                default:
                    nodes.Add(new DataNode(name, index + 1, JsonValueKind.Null, "null"));
                    break;
            }
        }
    }

    private static string RawText(ReadOnlySpan<byte> source, int start, ref Utf8JsonReader reader) =>
        Encoding.UTF8.GetString(source[start..(int)reader.BytesConsumed]);
}

/// <summary>One member of a data object; <see cref="SubtreeEnd"/> is the index of its next sibling.</summary>
internal readonly record struct DataNode(string Name, int SubtreeEnd, JsonValueKind Kind, string Text);

/// <summary>A value found in event data.</summary>
public readonly struct DataValue
{
    internal DataValue(JsonValueKind kind, string text)
    {
        Kind = kind;
        Text = text;
    }

    /// <summary>The JSON kind: string, number, true, false, null, object or array.</summary>
    public JsonValueKind Kind { get; }

    /// <summary>
    /// The value as text: a string's value, a number's JSON text exactly as sent, <c>true</c>/<c>false</c>,
    /// <c>null</c>, or the raw JSON of an object or array. Filters, group-by and unique_count compare this.
    /// </summary>
    public string Text { get; }

    /// <summary>True for JSON null.</summary>
    public bool IsNull => Kind == JsonValueKind.Null;

    /// <summary>
    /// Reads a number, or a string holding a JSON-style number (<c>"12.5"</c>), as an exact decimal; never
    /// through a double. Fails for other kinds and for numbers a decimal cannot hold exactly.
    /// </summary>
    public bool TryGetDecimal(out decimal value)
    {
        if (Kind is JsonValueKind.Number or JsonValueKind.String)
        {
            return ExactDecimal.TryParse(Text, out value) == DecimalParseResult.Parsed;
        }

        value = 0;
        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Text ?? string.Empty;
}
