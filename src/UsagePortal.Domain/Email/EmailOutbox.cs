using System.Text.Json;
using UsagePortal.Data;
using UsagePortal.Data.Outbox;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Email;

/// <summary>
/// Queues e-mail in the outbox of the current unit of work. Nothing is sent until the caller's
/// <c>SaveChanges</c> commits, so an e-mail never goes out for a change that was rolled back.
/// </summary>
public sealed class EmailOutbox
{
    public const string Kind = "email";

    private readonly UsagePortalDbContext db;
    private readonly TimeProvider clock;

    public EmailOutbox(UsagePortalDbContext db, TimeProvider clock, OutboxSignal signal)
    {
        this.db = db;
        this.clock = clock;
        // Wake the sweep once the message is committed, not before: it could not see it earlier.
        db.SavedChanges += (_, _) => signal.Notify();
    }

    public OutboxMessage Enqueue(EmailMessage email)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var message = new OutboxMessage
        {
            Id = Guid.CreateVersion7(),
            Kind = Kind,
            Payload = JsonSerializer.Serialize(email),
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>Queues the e-mail on its own: it is committed now (for e-mail that goes with no other change).</summary>
    public async Task SendAsync(EmailMessage email, CancellationToken cancellationToken = default)
    {
        Enqueue(email);
        await db.SaveChangesAsync(cancellationToken);
    }
}
