using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Budgets;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Budgets;

/// <summary>Where one channel's delivery of an alert stands.</summary>
public enum DeliveryState
{
    /// <summary>Waiting for its first attempt.</summary>
    Queued,

    /// <summary>Delivered (for the portal: shown in the bell).</summary>
    Delivered,

    /// <summary>An attempt failed; another comes at <see cref="AlertDeliveryRow.NextAttemptAt"/>.</summary>
    Retrying,

    /// <summary>Every attempt failed; no more are made.</summary>
    Failed,
}

/// <summary>One line of the delivery log.</summary>
public sealed record AlertDeliveryRow(
    Guid Id,
    long AlertId,
    DateTime FiredAt,
    string Type,
    string Message,
    string Channel,
    string Target,
    DeliveryState State,
    int Attempts,
    DateTime? DeliveredAt,
    DateTime? NextAttemptAt,
    string? LastError);

/// <summary>The alerts of one organisation: the bell's notifications and unread count, and the delivery log.</summary>
public sealed class AlertQueries(UsagePortalDbContext db, IOptions<OutboxOptions> outbox, TimeProvider clock)
{
    /// <summary>The organisation's alerts, newest first.</summary>
    public Task<List<AlertFiring>> RecentAsync(int customerId, int take = 20, CancellationToken cancellationToken = default) =>
        db.AlertFirings.AsNoTracking()
            .Where(f => f.CustomerId == customerId)
            .OrderByDescending(f => f.FiredAt).ThenByDescending(f => f.Id)
            .Take(take)
            .ToListAsync(cancellationToken);

    /// <summary>
    /// The organisation's alerts of the billing period running at <paramref name="now"/>, oldest first: the thresholds (and
    /// the cap) reached this period. Each fires at most once a period, so these are few.
    /// </summary>
    public Task<List<AlertFiring>> InPeriodAsync(int customerId, DateTime now, CancellationToken cancellationToken = default) =>
        db.AlertFirings.AsNoTracking()
            .Where(f => f.CustomerId == customerId && f.PeriodStart <= now && f.PeriodEnd > now)
            .OrderBy(f => f.FiredAt).ThenBy(f => f.Id)
            .ToListAsync(cancellationToken);

    /// <summary>How many of the organisation's alerts fired after the user last opened the bell (since joining, before that).</summary>
    public async Task<int> UnreadCountAsync(string userId, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.CustomerId, Since = u.AlertsSeenAt ?? u.CreatedAt }).SingleOrDefaultAsync(cancellationToken);
        if (user?.CustomerId is not { } customerId)
        {
            return 0;
        }

        return await db.AlertFirings.CountAsync(f => f.CustomerId == customerId && f.FiredAt > user.Since, cancellationToken);
    }

    /// <summary>Marks every alert fired until now as read for the user.</summary>
    public async Task MarkSeenAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.AlertsSeenAt, now), cancellationToken);
    }

    /// <summary>Every delivery of the organisation's alerts, newest alert first: on which channel, to whom, and whether it got there.</summary>
    public async Task<List<AlertDeliveryRow>> DeliveriesAsync(int customerId, int take = 100, CancellationToken cancellationToken = default)
    {
        var maxAttempts = outbox.Value.MaxAttempts;
        var rows = await (
            from delivery in db.AlertDeliveries.AsNoTracking()
            join firing in db.AlertFirings.AsNoTracking() on delivery.AlertFiringId equals firing.Id
            join message in db.OutboxMessages.AsNoTracking() on delivery.Id equals message.Id into messages
            from message in messages.DefaultIfEmpty()
            where delivery.CustomerId == customerId && firing.CustomerId == customerId
            orderby firing.FiredAt descending, firing.Id descending, delivery.Channel
            select new
            {
                delivery.Id,
                FiringId = firing.Id,
                firing.FiredAt,
                firing.Type,
                firing.Message,
                delivery.Channel,
                delivery.Target,
                HasMessage = message != null,
                Attempts = message == null ? 0 : message.Attempts,
                SentAt = message == null ? null : message.SentAt,
                NextAttemptAt = message == null ? (DateTime?)null : message.NextAttemptAt,
                LastError = message == null ? null : message.LastError,
            })
            .Take(take)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r =>
        {
            var state = !r.HasMessage ? DeliveryState.Delivered
                : r.SentAt is not null ? DeliveryState.Delivered
                : r.Attempts >= maxAttempts ? DeliveryState.Failed
                : r.LastError is not null ? DeliveryState.Retrying
                : DeliveryState.Queued;
            return new AlertDeliveryRow(r.Id, r.FiringId, r.FiredAt, r.Type, r.Message, r.Channel, r.Target, state, r.Attempts,
                r.HasMessage ? r.SentAt : r.FiredAt, state == DeliveryState.Retrying ? r.NextAttemptAt : null, r.LastError);
        })];
    }
}
