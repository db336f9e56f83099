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

    /// <summary>A one-line summary of the action, for people reading the log.</summary>
    public string? Details { get; set; }

    /// <summary>
    /// The state of what was acted on before the action: a JSON object of field name to text value, in a stable field
    /// order. Null when there was nothing before (a creation) and on entries written before the log kept states.
    /// </summary>
    public string? Before { get; set; }

    /// <summary>The state after the action, in the same form as <see cref="Before"/>; null when nothing is left (a removal).</summary>
    public string? After { get; set; }

    /// <summary>The organisation concerned, when there is one.</summary>
    public int? CustomerId { get; set; }
}
