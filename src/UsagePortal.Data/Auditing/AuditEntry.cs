namespace UsagePortal.Data.Auditing;

/// <summary>One administrative action, kept forever: who did what to what, and when.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    /// <summary>The e-mail of the user who acted, or <c>system</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>A dotted verb, e.g. <c>customer.created</c>, <c>user.invited</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What was acted on, e.g. <c>customer:acme</c>.</summary>
    public required string Subject { get; set; }

    public string? Details { get; set; }

    /// <summary>The organisation concerned, when there is one.</summary>
    public int? CustomerId { get; set; }
}
