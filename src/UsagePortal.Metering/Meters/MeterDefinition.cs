namespace UsagePortal.Metering;

/// <summary>
/// A billable metric as an admin defines it (the <c>meter</c> resource of the public API). Deserializes from
/// the camelCase JSON shape; call <see cref="Validate"/> before use.
/// </summary>
public sealed record MeterDefinition
{
    /// <summary>The most group-by dimensions a meter may have.</summary>
    public const int MaxGroupBy = 5;

    /// <summary>The longest code.</summary>
    public const int MaxCodeLength = 64;

    /// <summary>The longest name or event type.</summary>
    public const int MaxTextLength = 256;

    /// <summary>The stable identifier charges refer to: <c>^[a-z][a-z0-9_]{0,63}$</c>.</summary>
    public string Code { get; init; } = string.Empty;

    /// <summary>A display name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The event <c>type</c> this meter reads.</summary>
    public string EventType { get; init; } = string.Empty;

    /// <summary>How matching events become a quantity.</summary>
    public MeterAggregation Aggregation { get; init; }

    /// <summary>The data property aggregated; required for all but <see cref="MeterAggregation.Count"/>, which forbids it.</summary>
    public string? Property { get; init; }

    /// <summary>Property → allowed values; an event matches when every filtered property has an allowed value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Filters { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Properties whose values split the quantity into groups (at most <see cref="MaxGroupBy"/>).</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>Every problem with this definition, each naming its field (<c>code</c>, <c>filters.region</c>, <c>groupBy[1]</c>...).</summary>
    public IReadOnlyList<MeterValidationError> Validate()
    {
        var errors = new List<MeterValidationError>();

        if (string.IsNullOrEmpty(Code))
        {
            errors.Add(new("code", "code is required."));
        }
        else if (!IsValidCode(Code))
        {
            errors.Add(new("code", $"code must start with a lowercase letter and hold only lowercase letters, digits and underscores, at most {MaxCodeLength} characters."));
        }

        RequireText(errors, "name", Name);
        RequireText(errors, "eventType", EventType);

        var aggregationKnown = MeterAggregationNames.IsDefined(Aggregation);
        if (!aggregationKnown)
        {
            errors.Add(new("aggregation", $"aggregation must be one of {string.Join(", ", MeterAggregationNames.All)}."));
        }

        if (Aggregation == MeterAggregation.Count)
        {
            if (!string.IsNullOrEmpty(Property))
            {
                errors.Add(new("property", "A count meter counts events and takes no property."));
            }
        }
        else if (aggregationKnown)
        {
            if (string.IsNullOrEmpty(Property))
            {
                errors.Add(new("property", $"property is required for a {Aggregation.ToWireName()} meter."));
            }
            else
            {
                CheckPath(errors, "property", Property);
            }
        }

        foreach (var (key, values) in Filters ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            var field = $"filters.{key}";
            CheckPath(errors, field, key);
            if (values is null || values.Count == 0)
            {
                errors.Add(new(field, "A filter needs at least one allowed value."));
            }
            else if (values.Any(value => value is null))
            {
                errors.Add(new(field, "Allowed values must be strings, not null."));
            }
        }

        var groupBy = GroupBy ?? [];
        if (groupBy.Count > MaxGroupBy)
        {
            errors.Add(new("groupBy", $"A meter may group by at most {MaxGroupBy} properties, not {groupBy.Count}."));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < groupBy.Count; i++)
        {
            var field = $"groupBy[{i}]";
            if (CheckPath(errors, field, groupBy[i]) && !seen.Add(groupBy[i]))
            {
                errors.Add(new(field, $"\"{groupBy[i]}\" appears more than once in groupBy."));
            }
        }

        return errors;
    }

    private static bool IsValidCode(string code)
    {
        if (code.Length > MaxCodeLength || !char.IsAsciiLetterLower(code[0]))
        {
            return false;
        }

        foreach (var c in code)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static void RequireText(List<MeterValidationError> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(field, $"{field} is required."));
        }
        else if (value.Length > MaxTextLength)
        {
            errors.Add(new(field, $"{field} must be at most {MaxTextLength} characters long."));
        }
    }

    private static bool CheckPath(List<MeterValidationError> errors, string field, string? path)
    {
        if (PropertyPath.TryParse(path, out _, out var reason))
        {
            return true;
        }

        errors.Add(new(field, $"{field} {reason}"));
        return false;
    }
}

/// <summary>One problem with a meter definition.</summary>
/// <param name="Field">The JSON field at fault, e.g. <c>property</c>, <c>filters.region</c>, <c>groupBy[2]</c>.</param>
/// <param name="Reason">A plain-English sentence.</param>
public sealed record MeterValidationError(string Field, string Reason);

/// <summary>Thrown when a meter that fails validation is compiled.</summary>
public sealed class InvalidMeterException : ArgumentException
{
    /// <summary>Creates the exception from the validation errors.</summary>
    public InvalidMeterException(string code, IReadOnlyList<MeterValidationError> errors)
        : base($"Meter \"{code}\" is invalid: {string.Join(" ", errors.Select(e => $"{e.Field}: {e.Reason}"))}")
    {
        Errors = errors;
    }

    /// <summary>The validation errors.</summary>
    public IReadOnlyList<MeterValidationError> Errors { get; }
}
