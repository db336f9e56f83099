namespace UsagePortal.Pricing;

/// <summary>
/// One reason an input was refused, naming the field with a JSON-pointer-like path
/// (<c>properties.ranges[1].fromValue</c>; <c>$</c> is the whole document), ready to become an
/// RFC 9457 problem detail.
/// </summary>
/// <param name="Field">Path of the offending field.</param>
/// <param name="Reason">Human-readable reason, phrased to follow the field name.</param>
public sealed record ValidationError(string Field, string Reason)
{
    /// <summary>The same error nested under a parent field, e.g. <c>charge</c> + <c>model</c> → <c>charge.model</c>.</summary>
    public ValidationError Under(string parent) =>
        this with { Field = Field == "$" ? parent : $"{parent}.{Field}" };

    /// <summary>"properties.unitAmount: must not be negative".</summary>
    public override string ToString() => $"{Field}: {Reason}";
}

/// <summary>Thrown when code tries to price with properties that do not validate.</summary>
public sealed class InvalidChargeException(IReadOnlyList<ValidationError> errors)
    : ArgumentException("Invalid charge properties: " + string.Join("; ", errors))
{
    /// <summary>Every validation error found.</summary>
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}
