using System.Buffers;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using UsagePortal.Data.Auditing;

namespace UsagePortal.Domain.Auditing;

/// <summary>
/// The fields that matter of something acted on, as readable text (null for "none"), in the order they were added,
/// which is the order the log stores and shows them. Written as a collection initializer:
/// <c>new AuditState { { "name", customer.Name }, { "email", customer.Email } }</c>.
/// </summary>
public sealed class AuditState : IReadOnlyDictionary<string, string?>
{
    private readonly List<KeyValuePair<string, string?>> fields = [];
    private readonly Dictionary<string, string?> byName = new(StringComparer.Ordinal);

    public int Count => fields.Count;

    public IEnumerable<string> Keys => fields.Select(f => f.Key);

    public IEnumerable<string?> Values => fields.Select(f => f.Value);

    public string? this[string key] => byName[key];

    /// <summary>Adds a field after the others; a field named twice is a mistake in the caller and throws.</summary>
    public void Add(string field, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        byName.Add(field, value);
        fields.Add(new(field, value));
    }

    public bool ContainsKey(string key) => byName.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string? value) => byName.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>One field of an audited change: its value before and after, and whether it changed.</summary>
public sealed record AuditDiffRow(string Field, string? Before, string? After)
{
    public bool Changed => !string.Equals(Before, After, StringComparison.Ordinal);
}

/// <summary>
/// What an action changed: the state before it (null when it created the thing) and after it (null when it removed
/// it). The one place that writes states as the audit log's JSON and reads them back.
/// </summary>
public sealed record AuditChange(AuditState? Before, AuditState? After)
{
    /// <summary>For an action that changed no state (an invitation to an address that already has an account).</summary>
    public static readonly AuditChange None = new(null, null);

    // The stored JSON is read by people too (in a database shell): currency signs and accents stay as they are. It is
    // never written into HTML or script unencoded, which is what the default encoder guards against.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static AuditChange Of(AuditState? before, AuditState? after) => new(before, after);

    /// <summary>A thing created: only the state after.</summary>
    public static AuditChange Created(AuditState after) => new(null, after);

    /// <summary>A thing removed: only the state before.</summary>
    public static AuditChange Removed(AuditState before) => new(before, null);

    /// <summary>The change an entry recorded; an entry written before the log kept states has neither.</summary>
    public static AuditChange Of(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(Read(entry.Before), Read(entry.After));
    }

    /// <summary>Whether any field differs before and after.</summary>
    public bool Changes => Rows().Any(r => r.Changed);

    /// <summary>
    /// Every field of either state with its value before and after: the fields of the state before in their order,
    /// then those only the state after has, in theirs (so a creation reads in the order its state was written).
    /// </summary>
    public IReadOnlyList<AuditDiffRow> Rows()
    {
        var names = (Before?.Keys ?? []).Concat((After?.Keys ?? []).Where(k => Before?.ContainsKey(k) != true));
        return [.. names.Select(n => new AuditDiffRow(n, Value(Before, n), Value(After, n)))];
    }

    /// <summary>The state as the log stores it: a JSON object of field to text (or null), in the state's order; null for no state.</summary>
    public static string? Write(AuditState? state)
    {
        if (state is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (field, value) in state)
            {
                writer.WriteString(field, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A stored state back, in its stored order; null for none.</summary>
    public static AuditState? Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var state = new AuditState();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            state.Add(property.Name, property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => property.Value.GetString(),
                _ => property.Value.GetRawText(),
            });
        }

        return state;
    }

    private static string? Value(AuditState? state, string field) => state is not null && state.TryGetValue(field, out var value) ? value : null;
}

/// <summary>How audited states write values that are not text already.</summary>
public static class AuditValues
{
    /// <summary>
    /// An instant as ISO 8601 in UTC to the second, e.g. <c>2026-12-03T09:15:00Z</c>; null stays null. Times read from
    /// the database come back unspecified and are UTC already: only a local time is converted.
    /// </summary>
    public static string? Instant(DateTime? utc) =>
        utc is { } value ? (value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;

    /// <summary>A whole number as invariant text.</summary>
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
