namespace UsagePortal.Domain;

/// <summary>What kind of answer a <see cref="Result{T}"/> is; the API maps it to a status code, the pages to a message.</summary>
public enum ResultKind
{
    /// <summary>It worked.</summary>
    Ok,

    /// <summary>One or more fields are wrong (400); <see cref="Result{T}.Errors"/> names them.</summary>
    Invalid,

    /// <summary>The thing asked for does not exist (or belongs to someone else) (404).</summary>
    NotFound,

    /// <summary>Its state does not allow it (409): a draft cannot be voided, a subscription is being invoiced, …</summary>
    Conflict,
}

/// <summary>
/// The one answer of a domain operation that can be refused: its value, or the fields that are wrong and why. The API
/// writes the errors into a problem document (<c>field</c>, <c>reason</c>, <c>index</c>), the forms next to each input.
/// </summary>
public sealed record Result<T>(T? Value, ResultKind Kind, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => Kind == ResultKind.Ok;

    public static Result<T> Ok(T value) => new(value, ResultKind.Ok, []);

    public static Result<T> Invalid(params FieldError[] errors) => new(default, ResultKind.Invalid, errors);

    public static Result<T> Invalid(IReadOnlyList<FieldError> errors) => new(default, ResultKind.Invalid, errors);

    public static Result<T> NotFound(string reason, string field = "id") => new(default, ResultKind.NotFound, [new FieldError(field, reason)]);

    public static Result<T> Conflict(string field, string reason) => new(default, ResultKind.Conflict, [new FieldError(field, reason)]);

    public static Result<T> Failed(ResultKind kind, params FieldError[] errors) => new(default, kind, errors);

    public static Result<T> Failed(ResultKind kind, IReadOnlyList<FieldError> errors) => new(default, kind, errors);

    /// <summary>For <c>var (value, errors) = await …</c> where only the value and the field errors matter.</summary>
    public void Deconstruct(out T? value, out IReadOnlyList<FieldError> errors)
    {
        value = Value;
        errors = Errors;
    }

    /// <summary>The reason the field named <paramref name="field"/> is wrong, for the message under its input; null when it is fine.</summary>
    public string? ErrorFor(string field) => Errors.FirstOrDefault(e => string.Equals(e.Field, field, StringComparison.OrdinalIgnoreCase))?.Reason;
}
