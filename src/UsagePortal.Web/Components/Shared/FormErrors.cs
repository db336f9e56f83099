using UsagePortal.Domain;

namespace UsagePortal.Web.Components.Shared;

/// <summary>
/// A domain refusal's <see cref="FieldError"/>s laid out on a form: each field's reasons under its input, the rest (no
/// field, or a field the form has no input for) in a summary above the buttons.
/// </summary>
public sealed class FormErrors
{
    private readonly IReadOnlyList<FieldError> errors;
    private readonly HashSet<string> shown;

    public FormErrors(IReadOnlyList<FieldError> errors, params string[] fieldsShown)
    {
        ArgumentNullException.ThrowIfNull(errors);
        this.errors = errors;
        shown = new HashSet<string>(fieldsShown, StringComparer.OrdinalIgnoreCase);
    }

    public static FormErrors None { get; } = new([]);

    public bool Any => errors.Count > 0;

    /// <summary>The reasons for <paramref name="field"/> (and any aliases), one sentence after another; null when it is fine.</summary>
    public string? For(string field, params string[] aliases)
    {
        var reasons = errors.Where(e => string.Equals(e.Field, field, StringComparison.OrdinalIgnoreCase) || aliases.Contains(e.Field, StringComparer.OrdinalIgnoreCase))
            .Select(e => e.Reason)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return reasons.Count == 0 ? null : string.Join(" ", reasons);
    }

    public bool Has(string field, params string[] aliases) => For(field, aliases) is not null;

    /// <summary>The errors no input shows.</summary>
    public IEnumerable<FieldError> Unshown => errors.Where(e => !shown.Contains(e.Field));
}
