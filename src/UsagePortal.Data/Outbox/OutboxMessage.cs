namespace UsagePortal.Data.Outbox;

/// <summary>
/// Something that must leave the process (an e-mail, a webhook, a Stripe call), written in the same
/// transaction as the change it reports and delivered by a sweep that retries with backoff.
/// Delivery is idempotent on <see cref="Id"/>: a replayed message overwrites, or is ignored by, the receiver.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Which dispatcher handles it, e.g. <c>email</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The message as JSON, in the shape its dispatcher defines.</summary>
    public required string Payload { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Not before this time; also the lease: a node that claims the message pushes it forward.</summary>
    public DateTime NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public DateTime? SentAt { get; set; }

    public string? LastError { get; set; }
}
