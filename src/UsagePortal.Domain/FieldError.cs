namespace UsagePortal.Domain;

/// <summary>
/// A reason one named field of a request or form is wrong: the field as the caller named it (<c>startDate</c>,
/// <c>data.tokens</c>, <c>overrides[0].meter</c>), why, and for a batch the index of the item. The API shows these in
/// problem documents, the pages next to their inputs.
/// </summary>
public sealed record FieldError(string Field, string Reason, int? Index = null);
