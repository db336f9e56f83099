using UsagePortal.Domain;

namespace UsagePortal.Web.Api;

/// <summary>RFC 9457 problem documents, the only error shape of the public API.</summary>
public static class Problems
{
    public static IResult Create(int status, string title, string detail, IReadOnlyList<FieldError>? errors = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (errors is { Count: > 0 })
        {
            extensions["errors"] = errors.Select(e => e.Index is null
                ? (object)new { field = e.Field, reason = e.Reason }
                : new { index = e.Index, field = e.Field, reason = e.Reason }).ToList();
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: $"https://usageportal.dev/problems/{status}", extensions: extensions);
    }

    public static IResult Validation(string detail, IReadOnlyList<FieldError> errors) =>
        Create(StatusCodes.Status400BadRequest, "The request is not valid", detail, errors);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    /// <summary>
    /// A refused domain operation as a problem document: invalid fields 400 (with <paramref name="detail"/>), not found
    /// 404, a state that does not allow it 409 (the reason as the detail). Every endpoint answers refusals this way.
    /// </summary>
    public static IResult For<T>(Result<T> result, string detail)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Kind switch
        {
            ResultKind.NotFound => NotFound(result.Errors.FirstOrDefault()?.Reason ?? detail),
            ResultKind.Conflict => Create(StatusCodes.Status409Conflict, "Conflict", result.Errors.FirstOrDefault()?.Reason ?? detail, result.Errors),
            _ => Validation(detail, result.Errors),
        };
    }
}
