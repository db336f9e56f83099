using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;

namespace UsagePortal.Domain.Outbox;

/// <summary>
/// Delivers due outbox messages once each. A message is claimed with a conditional update on its
/// <c>NextAttemptAt</c> (compare-and-swap), which works the same on SQLite and PostgreSQL: of several nodes
/// sweeping at once, exactly one wins each message. A failed delivery is retried with exponential backoff.
/// </summary>
public sealed class OutboxProcessor(
    UsagePortalDbContext db,
    IEnumerable<IOutboxHandler> handlers,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxProcessor> logger)
{
    /// <summary>Delivers every due message; answers how many were delivered.</summary>
    public async Task<int> ProcessDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var byKind = handlers.ToDictionary(h => h.Kind);
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.SentAt == null && m.NextAttemptAt <= now && m.Attempts < settings.MaxAttempts)
            .OrderBy(m => m.NextAttemptAt)
            .Take(settings.BatchSize)
            .ToListAsync(cancellationToken);

        var delivered = 0;
        foreach (var message in due)
        {
            var leaseUntil = now + settings.Lease;
            var claimed = await db.OutboxMessages
                .Where(m => m.Id == message.Id && m.SentAt == null && m.NextAttemptAt == message.NextAttemptAt)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, leaseUntil).SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken);
            if (claimed == 0)
            {
                continue;
            }

            try
            {
                if (!byKind.TryGetValue(message.Kind, out var handler))
                {
                    throw new InvalidOperationException($"No outbox handler for kind '{message.Kind}'.");
                }

                await handler.DeliverAsync(message, cancellationToken);
                var sentAt = clock.GetUtcNow().UtcDateTime;
                await db.OutboxMessages.Where(m => m.Id == message.Id)
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.SentAt, sentAt).SetProperty(m => m.LastError, (string?)null), cancellationToken);
                delivered++;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                var attempts = message.Attempts + 1;
                var retryAt = clock.GetUtcNow().UtcDateTime + Backoff(attempts);
                logger.LogWarning(exception, "Outbox message {Id} ({Kind}) failed on attempt {Attempts}; retrying at {RetryAt:O}.", message.Id, message.Kind, attempts, retryAt);
                var error = exception.Message.Length > 2000 ? exception.Message[..2000] : exception.Message;
                await db.OutboxMessages.Where(m => m.Id == message.Id)
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, retryAt).SetProperty(m => m.LastError, error), cancellationToken);
            }
        }

        return delivered;
    }

    /// <summary>10 s, 20 s, 40 s … capped at one hour.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 10 * Math.Pow(2, Math.Max(0, attempts - 1))));
}
