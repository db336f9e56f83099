namespace UsagePortal.Domain.Email;

/// <summary>An e-mail as it waits in the outbox.</summary>
/// <param name="TextBody">The plain-text alternative; when null it is derived from <paramref name="HtmlBody"/> at delivery.</param>
public sealed record EmailMessage(string To, string Subject, string HtmlBody, string? TextBody = null);
