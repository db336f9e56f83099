using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace UsagePortal.Metering;

/// <summary>
/// Reads the body of <c>POST /api/v1/events</c> in any CloudEvents 1.0 HTTP content mode, or plain JSON,
/// and validates every event. Pure: no I/O, no clock (the caller passes the time of receipt).
/// </summary>
/// <remarks>
/// Mode selection follows the HTTP protocol binding: a <c>application/cloudevents+json</c> or
/// <c>application/cloudevents-batch+json</c> content type wins; otherwise a <c>ce-specversion</c> header
/// means binary mode; otherwise <c>application/json</c> is plain JSON; anything else is refused.
/// Attribute rules: <c>id</c>, <c>type</c>, <c>subject</c> (and <c>source</c> except in plain JSON) are
/// required non-empty strings; <c>specversion</c> must be "1.0"; <c>time</c> is an RFC 3339 timestamp with
/// an offset and defaults to the time of receipt; <c>data</c> must be an object and defaults to <c>{}</c>.
/// JSON null counts as absent. Extension attributes are accepted and ignored.
/// </remarks>
public static class EventBatchReader
{
    private const string SupportedTypes =
        "application/cloudevents+json, application/cloudevents-batch+json, application/json, "
        + "or a binary-mode CloudEvent (ce-* headers with a JSON body)";

    private const string SpecVersion = "1.0";

    /// <summary>Reads and validates one request.</summary>
    /// <param name="contentType">The Content-Type header, parameters included; null when absent.</param>
    /// <param name="headers">The request headers; only <c>ce-*</c> headers are read, names case-insensitively.</param>
    /// <param name="body">The whole request body.</param>
    /// <param name="receivedAt">When the request arrived: the default event time and the base of the future-time check.</param>
    /// <param name="options">Limits; <see cref="EventReaderOptions.Default"/> when null.</param>
    public static EventBatch Read(
        string? contentType,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> body,
        DateTimeOffset receivedAt,
        EventReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var context = new ReadContext(options ?? EventReaderOptions.Default, receivedAt.ToUniversalTime());
        var media = MediaType.Parse(contentType);

        EventContentMode mode;
        if (media.Is(MediaType.CloudEventsJson))
        {
            mode = EventContentMode.Structured;
        }
        else if (media.Is(MediaType.CloudEventsBatchJson))
        {
            mode = EventContentMode.Batched;
        }
        else if (HasHeader(headers, "ce-specversion"))
        {
            mode = EventContentMode.Binary;
        }
        else if (media.Is(MediaType.Json))
        {
            mode = EventContentMode.PlainJson;
        }
        else
        {
            var reason = media.Type is null
                ? $"The request has no Content-Type. Send {SupportedTypes}."
                : $"The content type \"{Shorten(media.Type)}\" is not supported. Send {SupportedTypes}.";
            return context.Reject(null, EventBatchStatus.UnsupportedContentType, "content-type", reason);
        }

        if (!media.HasAcceptableCharset)
        {
            return context.Reject(mode, EventBatchStatus.UnsupportedContentType, "content-type",
                $"The charset \"{Shorten(media.Charset!)}\" is not supported; JSON bodies must be UTF-8.");
        }

        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        if (!Utf8.IsValid(body))
        {
            return context.Reject(mode, EventBatchStatus.InvalidBody, "body", "The body is not valid UTF-8.");
        }

        try
        {
            return mode == EventContentMode.Binary
                ? ReadBinary(context, media, headers, body)
                : ReadJson(context, mode, body);
        }
        catch (JsonException ex)
        {
            return context.Reject(mode, EventBatchStatus.InvalidBody, "body", DescribeMalformedJson(ex));
        }
        catch (UnreadableJsonStringException ex)
        {
            var (line, position) = LineAndPosition(body, ex.Offset);
            return context.Reject(mode, EventBatchStatus.InvalidBody, "body", string.Create(CultureInfo.InvariantCulture,
                $"The body holds a string that cannot be read at line {line}, position {position}: {ex.Message}"));
        }
    }

    private static EventBatch ReadJson(ReadContext context, EventContentMode mode, ReadOnlySpan<byte> body)
    {
        if (IsBlank(body))
        {
            return context.Reject(mode, EventBatchStatus.InvalidBody, "body", mode == EventContentMode.Batched
                ? "The body is empty; expected a JSON array of events."
                : "The body is empty; expected a JSON event object.");
        }

        var reader = new Utf8JsonReader(body);
        reader.Read();
        switch (mode, reader.TokenType)
        {
            case (EventContentMode.Structured or EventContentMode.PlainJson, JsonTokenType.StartObject):
                ReadEvent(context, mode, ref reader, body, 0);
                break;
            case (EventContentMode.Batched or EventContentMode.PlainJson, JsonTokenType.StartArray):
                if (!ReadArray(context, mode, ref reader, body))
                {
                    return context.Reject(mode, EventBatchStatus.TooManyEvents, "body", string.Create(CultureInfo.InvariantCulture,
                        $"The request holds more than {context.Options.MaxEventsPerBatch:N0} events; the limit is {context.Options.MaxEventsPerBatch:N0} per request."));
                }

                break;
            case (EventContentMode.Structured, _):
                return context.Reject(mode, EventBatchStatus.InvalidBody, "body",
                    $"A structured-mode request holds exactly one event object, not {Describe(reader.TokenType)}; send arrays as {MediaType.CloudEventsBatchJson}.");
            case (EventContentMode.Batched, _):
                return context.Reject(mode, EventBatchStatus.InvalidBody, "body",
                    $"A batched-mode request holds a JSON array of events, not {Describe(reader.TokenType)}.");
            default:
                return context.Reject(mode, EventBatchStatus.InvalidBody, "body",
                    $"The body must be an event object or an array of events, not {Describe(reader.TokenType)}.");
        }

        // A second top-level value, or garbage after the first, makes the reader throw here.
        reader.Read();
        return context.Finish(mode);
    }

    /// <summary>Reads the array's elements; false when it holds more events than allowed.</summary>
    private static bool ReadArray(ReadContext context, EventContentMode mode, ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index == context.Options.MaxEventsPerBatch)
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadEvent(context, mode, ref reader, body, index);
            }
            else
            {
                context.Error(index, "event", $"Each element of the array must be an event object, not {Describe(reader.TokenType)}.");
                reader.Skip();
            }

            index++;
        }

        return true;
    }

    private static void ReadEvent(ReadContext context, EventContentMode mode, ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index)
    {
        var names = FieldNames.Json;
        var attributes = new EventAttributes();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var attribute = Identify(ref reader);
            reader.Read();
            if (attribute != Attribute.Extension && !attributes.MarkSeen(attribute))
            {
                attributes.Fail(context, names, index, attribute, $"{names.Phrase(attribute)} appears more than once.");
            }

            switch (attribute)
            {
                case Attribute.Data:
                    ReadData(context, ref reader, body, index, names, ref attributes);
                    break;
                case Attribute.DataBase64:
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        attributes.Fail(context, names, index, attribute, "The data_base64 attribute is not supported; data must be a JSON object.");
                    }

                    reader.Skip();
                    break;
                case Attribute.Extension:
                    reader.Skip();
                    break;
                default:
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        attributes.Set(attribute, JsonStrings.Read(ref reader));
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        attributes.Fail(context, names, index, attribute, $"{names.Phrase(attribute)} must be a string, not {Describe(reader.TokenType)}.");
                        reader.Skip();
                    }

                    break;
            }
        }

        Complete(context, mode, names, index, ref attributes);
    }

    private static void ReadData(ReadContext context, ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int index, FieldNames names, ref EventAttributes attributes)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when context.IsBuilding:
                var start = (int)reader.TokenStartIndex;
                attributes.Data = EventData.ReadObject(ref reader, body, context.Scratch);
                attributes.DataJson = Encoding.UTF8.GetString(body[start..(int)reader.BytesConsumed]);
                break;
            case JsonTokenType.StartObject or JsonTokenType.Null:
                reader.Skip();
                break;
            default:
                attributes.Fail(context, names, index, Attribute.Data, $"{names.Phrase(Attribute.Data)} must be a JSON object, not {Describe(reader.TokenType)}.");
                reader.Skip();
                break;
        }
    }

    private static EventBatch ReadBinary(ReadContext context, MediaType media, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body)
    {
        const EventContentMode mode = EventContentMode.Binary;
        var names = FieldNames.Binary;
        var blank = IsBlank(body);
        if (!media.IsJson && !(media.Type is null && blank))
        {
            return context.Reject(mode, EventBatchStatus.UnsupportedContentType, "content-type", media.Type is null
                ? "A binary-mode event needs Content-Type: application/json, because its body is the event's data object."
                : $"A binary-mode event's body is its data object, so the content type must be application/json, not \"{Shorten(media.Type)}\".");
        }

        var attributes = new EventAttributes();
        foreach (var (name, value) in headers)
        {
            if (name is null || !name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var attribute = Identify(name.AsSpan(3));
            if (attribute is Attribute.Extension or Attribute.Data or Attribute.DataBase64 or Attribute.DataContentType)
            {
                continue;
            }

            if (!attributes.MarkSeen(attribute))
            {
                attributes.Fail(context, names, 0, attribute, $"{names.Phrase(attribute)} appears more than once.");
            }

            // The binding percent-encodes characters that headers cannot carry.
            attributes.Set(attribute, value is not null && value.Contains('%') ? Uri.UnescapeDataString(value) : value ?? string.Empty);
        }

        if (!blank)
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            ReadData(context, ref reader, body, 0, names, ref attributes);
            reader.Read();
        }

        Complete(context, mode, names, 0, ref attributes);
        return context.Finish(mode);
    }

    /// <summary>Checks what can only be checked once all of an event's attributes are known, then keeps the event.</summary>
    private static void Complete(ReadContext context, EventContentMode mode, FieldNames names, int index, ref EventAttributes attributes)
    {
        var options = context.Options;
        var plain = mode == EventContentMode.PlainJson;

        if (!attributes.HasFailed(Attribute.SpecVersion))
        {
            if (attributes.SpecVersion is null && !plain)
            {
                attributes.Fail(context, names, index, Attribute.SpecVersion, $"{names.Phrase(Attribute.SpecVersion)} is required and must be \"{SpecVersion}\".");
            }
            else if (attributes.SpecVersion is not null && attributes.SpecVersion != SpecVersion)
            {
                attributes.Fail(context, names, index, Attribute.SpecVersion, $"{names.Phrase(Attribute.SpecVersion)} must be \"{SpecVersion}\", not \"{Shorten(attributes.SpecVersion)}\".");
            }
        }

        var id = RequireText(context, names, index, Attribute.Id, ref attributes, required: true);
        var source = RequireText(context, names, index, Attribute.Source, ref attributes, required: !plain) ?? EventReaderOptions.DefaultSource;
        var type = RequireText(context, names, index, Attribute.Type, ref attributes, required: true);
        var subject = RequireText(context, names, index, Attribute.Subject, ref attributes, required: true);

        var time = context.ReceivedAt;
        if (attributes.Time is not null)
        {
            if (!Rfc3339.TryParse(attributes.Time, out time))
            {
                attributes.Fail(context, names, index, Attribute.Time,
                    $"{names.Phrase(Attribute.Time)} must be an RFC 3339 timestamp with an offset, such as 2025-01-31T12:00:00Z, not \"{Shorten(attributes.Time)}\".");
            }
            else if (context.ReceivedAt - time > options.MaxEventAge)
            {
                attributes.Fail(context, names, index, Attribute.Time, string.Create(CultureInfo.InvariantCulture,
                    $"{names.Phrase(Attribute.Time)} {time:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'} is more than {Describe(options.MaxEventAge)} before the request was received ({context.ReceivedAt:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}); older events are rejected."));
            }
            else if (time - context.ReceivedAt > options.MaxFutureSkew)
            {
                attributes.Fail(context, names, index, Attribute.Time, string.Create(CultureInfo.InvariantCulture,
                    $"{names.Phrase(Attribute.Time)} {time:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'} is more than {Describe(options.MaxFutureSkew)} after the request was received ({context.ReceivedAt:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}); events from the future are rejected."));
            }
        }

        if (attributes.DataContentType is { } dataContentType && !MediaType.Parse(dataContentType).IsJson)
        {
            attributes.Fail(context, names, index, Attribute.DataContentType,
                $"{names.Phrase(Attribute.DataContentType)} must be a JSON media type such as application/json, not \"{Shorten(dataContentType)}\".");
        }

        if (context.IsBuilding)
        {
            context.Events.Add(new IncomingEvent(id!, source, type!, subject!, time, attributes.DataJson ?? "{}", attributes.Data ?? EventData.Empty));
        }
    }

    private static string? RequireText(ReadContext context, FieldNames names, int index, Attribute attribute, ref EventAttributes attributes, bool required)
    {
        var value = attributes.Get(attribute);
        if (attributes.HasFailed(attribute))
        {
            return value;
        }

        if (value is null)
        {
            if (required)
            {
                attributes.Fail(context, names, index, attribute, $"{names.Phrase(attribute)} is required.");
            }
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            attributes.Fail(context, names, index, attribute, $"{names.Phrase(attribute)} must not be empty.");
        }
        else if (value.Length > context.Options.MaxAttributeLength)
        {
            attributes.Fail(context, names, index, attribute, string.Create(CultureInfo.InvariantCulture,
                $"{names.Phrase(attribute)} is {value.Length:N0} characters long; the limit is {context.Options.MaxAttributeLength:N0}."));
        }
        else if (IndexOfControlCharacter(value) is var control and >= 0)
        {
            attributes.Fail(context, names, index, attribute, string.Create(CultureInfo.InvariantCulture,
                $"{names.Phrase(attribute)} must not contain control characters; it holds U+{(int)value[control]:X4} at position {control + 1}."));
        }

        return value;
    }

    /// <summary>The first C0 control character or DEL, or -1: ids and names are stored and shown, never control text.</summary>
    private static int IndexOfControlCharacter(string value)
    {
        var c0 = value.AsSpan().IndexOfAnyInRange('\u0000', '\u001F');
        var delete = value.IndexOf('\u007F', StringComparison.Ordinal);
        return c0 < 0 ? delete : delete < 0 ? c0 : Math.Min(c0, delete);
    }

    private static Attribute Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("id"u8)) return Attribute.Id;
        if (reader.ValueTextEquals("source"u8)) return Attribute.Source;
        if (reader.ValueTextEquals("type"u8)) return Attribute.Type;
        if (reader.ValueTextEquals("subject"u8)) return Attribute.Subject;
        if (reader.ValueTextEquals("time"u8)) return Attribute.Time;
        if (reader.ValueTextEquals("data"u8)) return Attribute.Data;
        if (reader.ValueTextEquals("specversion"u8)) return Attribute.SpecVersion;
        if (reader.ValueTextEquals("datacontenttype"u8)) return Attribute.DataContentType;
        if (reader.ValueTextEquals("data_base64"u8)) return Attribute.DataBase64;
        return Attribute.Extension;
    }

    private static Attribute Identify(ReadOnlySpan<char> name) => name switch
    {
        _ when name.Equals("id", StringComparison.OrdinalIgnoreCase) => Attribute.Id,
        _ when name.Equals("source", StringComparison.OrdinalIgnoreCase) => Attribute.Source,
        _ when name.Equals("type", StringComparison.OrdinalIgnoreCase) => Attribute.Type,
        _ when name.Equals("subject", StringComparison.OrdinalIgnoreCase) => Attribute.Subject,
        _ when name.Equals("time", StringComparison.OrdinalIgnoreCase) => Attribute.Time,
        _ when name.Equals("specversion", StringComparison.OrdinalIgnoreCase) => Attribute.SpecVersion,
        _ when name.Equals("datacontenttype", StringComparison.OrdinalIgnoreCase) => Attribute.DataContentType,
        _ => Attribute.Extension,
    };

    private static bool HasHeader(IEnumerable<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsBlank(ReadOnlySpan<byte> body) => body.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    private static string DescribeMalformedJson(JsonException ex)
    {
        var detail = ex.Message;
        var cut = detail.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            detail = detail[..cut];
        }

        var line = (ex.LineNumber ?? 0) + 1;
        var position = (ex.BytePositionInLine ?? 0) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"The body is not valid JSON at line {line}, position {position}: {detail}");
    }

    private static (long Line, long Position) LineAndPosition(ReadOnlySpan<byte> body, long offset)
    {
        var before = body[..(int)offset];
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (before.Count((byte)'\n') + 1, offset - lastNewline);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "an unexpected token",
    };

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0} day{(span.TotalDays == 1 ? "" : "s")}")
            : span.TotalSeconds % 60 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} minute{(span.TotalMinutes == 1 ? "" : "s")}")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} seconds");

    /// <summary>Echoes sender text in a reason without letting a huge value bloat the error answer.</summary>
    private static string Shorten(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");

    private enum Attribute
    {
        SpecVersion,
        Id,
        Source,
        Type,
        Subject,
        Time,
        Data,
        DataContentType,
        DataBase64,
        Extension,
    }

    private sealed class FieldNames
    {
        public static readonly FieldNames Json = new(isBinary: false);
        public static readonly FieldNames Binary = new(isBinary: true);

        private readonly string[] fields;
        private readonly string[] phrases;

        private FieldNames(bool isBinary)
        {
            string[] attributeNames = ["specversion", "id", "source", "type", "subject", "time", "data", "datacontenttype", "data_base64"];
            fields = new string[attributeNames.Length];
            phrases = new string[attributeNames.Length];
            for (var i = 0; i < attributeNames.Length; i++)
            {
                var attribute = (Attribute)i;
                fields[i] = isBinary && attribute != Attribute.Data ? "ce-" + attributeNames[i] : attributeNames[i];
                phrases[i] = attribute == Attribute.Data
                    ? (isBinary ? "The body (the event's data)" : "The data attribute")
                    : (isBinary ? $"The {fields[i]} header" : $"The {fields[i]} attribute");
            }
        }

        public string Field(Attribute attribute) => fields[(int)attribute];

        public string Phrase(Attribute attribute) => phrases[(int)attribute];
    }

    /// <summary>What one event said, gathered before validation.</summary>
    private struct EventAttributes
    {
        private int seen;
        private int failed;

        public string? SpecVersion;
        public string? Id;
        public string? Source;
        public string? Type;
        public string? Subject;
        public string? Time;
        public string? DataContentType;
        public EventData? Data;
        public string? DataJson;

        public bool MarkSeen(Attribute attribute)
        {
            var bit = 1 << (int)attribute;
            var first = (seen & bit) == 0;
            seen |= bit;
            return first;
        }

        public readonly bool HasFailed(Attribute attribute) => (failed & (1 << (int)attribute)) != 0;

        public void Fail(ReadContext context, FieldNames names, int index, Attribute attribute, string reason)
        {
            failed |= 1 << (int)attribute;
            context.Error(index, names.Field(attribute), reason);
        }

        public void Set(Attribute attribute, string value)
        {
            switch (attribute)
            {
                case Attribute.SpecVersion: SpecVersion = value; break;
                case Attribute.Id: Id = value; break;
                case Attribute.Source: Source = value; break;
                case Attribute.Type: Type = value; break;
                case Attribute.Subject: Subject = value; break;
                case Attribute.Time: Time = value; break;
                case Attribute.DataContentType: DataContentType = value; break;
            }
        }

        public readonly string? Get(Attribute attribute) => attribute switch
        {
            Attribute.Id => Id,
            Attribute.Source => Source,
            Attribute.Type => Type,
            Attribute.Subject => Subject,
            _ => null,
        };
    }

    private sealed class ReadContext(EventReaderOptions options, DateTimeOffset receivedAt)
    {
        private List<EventError>? errors;

        public EventReaderOptions Options { get; } = options;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public List<IncomingEvent> Events { get; } = [];

        public List<DataNode> Scratch { get; } = [];

        /// <summary>Once any event is invalid nothing will be stored, so the rest are only validated.</summary>
        public bool IsBuilding => errors is null;

        public void Error(int? index, string field, string reason) => (errors ??= []).Add(new EventError(index, field, reason));

        public EventBatch Reject(EventContentMode? mode, EventBatchStatus status, string field, string reason) =>
            new(mode, status, [], [new EventError(null, field, reason)]);

        public EventBatch Finish(EventContentMode mode)
        {
            if (errors is null)
            {
                CheckRepeats(mode);
            }

            return errors is null
                ? new EventBatch(mode, EventBatchStatus.Valid, Events, [])
                : new EventBatch(mode, EventBatchStatus.InvalidEvents, [], errors);
        }

        /// <summary>
        /// A repeat of an event inside one request is a retry and stored once; the same (source, id) with different
        /// content is a sender's bug, and keeping either one silently would lose the other.
        /// </summary>
        private void CheckRepeats(EventContentMode mode)
        {
            var first = new Dictionary<(string Source, string Id), int>(Events.Count);
            var names = mode == EventContentMode.Binary ? FieldNames.Binary : FieldNames.Json;
            for (var index = 0; index < Events.Count; index++)
            {
                var e = Events[index];
                if (!first.TryAdd((e.Source, e.Id), index))
                {
                    var earlier = first[(e.Source, e.Id)];
                    if (!SameContent(Events[earlier], e))
                    {
                        var field = names.Field(Attribute.Id);
                        Error(earlier, field, string.Create(CultureInfo.InvariantCulture,
                            $"Event {index} has the same source and id (\"{Shorten(e.Source)}\", \"{Shorten(e.Id)}\") with different content; an id names one event."));
                        Error(index, field, string.Create(CultureInfo.InvariantCulture,
                            $"Event {earlier} has the same source and id (\"{Shorten(e.Source)}\", \"{Shorten(e.Id)}\") with different content; an id names one event."));
                    }
                }
            }

            errors = errors?.OrderBy(e => e.Index ?? -1).ToList();
        }

        private static bool SameContent(IncomingEvent a, IncomingEvent b) =>
            a.Type == b.Type && a.Subject == b.Subject && a.Time == b.Time
            && (a.DataJson == b.DataJson || JsonNode.DeepEquals(JsonNode.Parse(a.DataJson), JsonNode.Parse(b.DataJson)));
    }
}
