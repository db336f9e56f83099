using UsagePortal.Data.Outbox;

namespace UsagePortal.Domain.Outbox;

/// <summary>Delivers one kind of outbox message. Must be idempotent on the message id: a message may be delivered again after a crash.</summary>
public interface IOutboxHandler
{
    string Kind { get; }

    Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken);
}
