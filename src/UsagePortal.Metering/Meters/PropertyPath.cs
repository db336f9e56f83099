namespace UsagePortal.Metering;

/// <summary>
/// A property of an event's <c>data</c>: a top-level key (<c>tokens</c>) or a dotted path into nested
/// objects (<c>usage.tokens</c>). Segments are matched exactly (case-sensitive).
/// </summary>
public sealed class PropertyPath : IEquatable<PropertyPath>
{
    /// <summary>The longest path accepted, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>The deepest nesting a path may reach.</summary>
    public const int MaxDepth = 16;

    private PropertyPath(string text, string[] segments)
    {
        Text = text;
        SegmentArray = segments;
    }

    /// <summary>The path as written, e.g. <c>usage.tokens</c>.</summary>
    public string Text { get; }

    /// <summary>The keys from the top of <c>data</c> down.</summary>
    public IReadOnlyList<string> Segments => SegmentArray;

    internal string[] SegmentArray { get; }

    /// <summary>Parses a path, or explains in plain English why it is not one.</summary>
    public static bool TryParse(string? text, out PropertyPath? path, out string? reason)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            reason = "must be a non-empty property name or dotted path, such as tokens or usage.tokens.";
            return false;
        }

        if (text.Length > MaxLength)
        {
            reason = $"must be at most {MaxLength} characters long.";
            return false;
        }

        var segments = text.Split('.');
        if (segments.Length > MaxDepth)
        {
            reason = $"may reach at most {MaxDepth} levels deep.";
            return false;
        }

        if (Array.Exists(segments, string.IsNullOrWhiteSpace))
        {
            reason = "must not have an empty segment (two dots in a row, or a leading or trailing dot).";
            return false;
        }

        path = new PropertyPath(text, segments);
        reason = null;
        return true;
    }

    /// <summary>Parses a path.</summary>
    /// <exception cref="ArgumentException">The text is not a valid path.</exception>
    public static PropertyPath Parse(string text) =>
        TryParse(text, out var path, out var reason)
            ? path!
            : throw new ArgumentException($"The property path \"{text}\" {reason}", nameof(text));

    /// <inheritdoc/>
    public bool Equals(PropertyPath? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PropertyPath);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
