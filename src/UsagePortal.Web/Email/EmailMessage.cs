namespace UsagePortal.Web.Email;

/// <summary>An e-mail as it waits in the outbox.</summary>
public sealed record EmailMessage(string To, string Subject, string HtmlBody);
