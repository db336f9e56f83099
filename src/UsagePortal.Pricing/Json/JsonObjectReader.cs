using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>
/// Reads the fields of one JSON object, recording a <see cref="ValidationError"/> for each field
/// that is missing, duplicated, unknown or of the wrong type, and returning <c>null</c> for it
/// so that reading can go on and every error is reported in one answer.
/// </summary>
internal sealed class JsonObjectReader
{
    internal const string NotADecimal = "must be a decimal number (a JSON number or a numeric string)";

    private readonly Dictionary<string, JsonElement> fields = new(StringComparer.Ordinal);
    private readonly string path;
    private readonly List<ValidationError> errors;

    private JsonObjectReader(JsonElement element, string path, List<ValidationError> errors)
    {
        this.path = path;
        this.errors = errors;
        foreach (var property in element.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
            {
                errors.Add(new(FieldPath(property.Name), "appears more than once"));
            }
        }
    }

    /// <summary>A reader for <paramref name="element"/>, or <c>null</c> (with an error) when it is not an object.</summary>
    public static JsonObjectReader? For(JsonElement element, string path, List<ValidationError> errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return new JsonObjectReader(element, path, errors);
        }

        errors.Add(new(path, "must be a JSON object"));
        return null;
    }

    public string FieldPath(string name) => path is "" or "$" ? name : $"{path}.{name}";

    public string? String(string name, bool required)
    {
        if (!TryGet(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            return text;
        }

        errors.Add(new(FieldPath(name), "must be a non-empty string"));
        return null;
    }

    public JsonElement? Element(string name, bool required) => TryGet(name, required, out var value) ? value : null;

    public decimal? RequiredDecimal(string name) => TryGet(name, required: true, out var value) ? ReadDecimal(name, value) : null;

    public decimal? OptionalDecimal(string name) => TryGet(name, required: false, out var value) ? ReadDecimal(name, value) : null;

    /// <summary>
    /// A decimal where <c>null</c> (or absence) is meaningful, like an unbounded toValue.
    /// <c>Known</c> is false when the field is present but unreadable.
    /// </summary>
    public (bool Known, decimal? Value) NullableDecimal(string name)
    {
        if (!TryGet(name, required: false, out var value))
        {
            return (true, null);
        }

        var parsed = ReadDecimal(name, value);
        return (parsed is not null, parsed);
    }

    public long? OptionalWholeNumber(string name)
    {
        if (!TryGet(name, required: false, out var value) || ReadDecimal(name, value) is not { } number)
        {
            return null;
        }

        if (number == decimal.Truncate(number) && number >= long.MinValue && number <= long.MaxValue)
        {
            return decimal.ToInt64(number);
        }

        errors.Add(new(FieldPath(name), "must be a whole number"));
        return null;
    }

    /// <summary>Reports every field not in <paramref name="allowed"/>: a misspelt optional price must not silently become 0.</summary>
    public void RejectUnknown(string modelDescription, params string[] allowed)
    {
        foreach (var name in fields.Keys.Where(name => !allowed.Contains(name, StringComparer.Ordinal)))
        {
            errors.Add(new(FieldPath(name),
                $"is not a property of {modelDescription}; expected one of {string.Join(", ", allowed)}"));
        }
    }

    /// <summary>True when the field is present and not JSON null; a missing required field is an error.</summary>
    private bool TryGet(string name, bool required, out JsonElement value)
    {
        if (fields.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            errors.Add(new(FieldPath(name), "is required"));
        }

        return false;
    }

    private decimal? ReadDecimal(string name, JsonElement value)
    {
        if (DecimalText.TryRead(value, out var parsed))
        {
            return parsed;
        }

        errors.Add(new(FieldPath(name), NotADecimal));
        return null;
    }
}
