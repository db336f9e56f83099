using UsagePortal.Data;
using UsagePortal.Data.Auditing;

namespace UsagePortal.Domain.Auditing;

/// <summary>
/// Writes the audit log. Entries are only ever added: nothing updates or deletes one, so the log is what happened.
/// </summary>
public static class AuditLog
{
    /// <summary>
    /// Adds an audit entry to the unit of work; it commits with the change it records. <paramref name="change"/> is the
    /// state of what was acted on before and after (the fields that matter, as text); <paramref name="details"/> a
    /// one-line summary.
    /// </summary>
    public static void Audit(this UsagePortalDbContext db, TimeProvider clock, string actor, string action, string subject, AuditChange change, string? details = null, int? customerId = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(change);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = actor,
            Action = action,
            Subject = subject,
            Details = details,
            Before = AuditChange.Write(change.Before),
            After = AuditChange.Write(change.After),
            CustomerId = customerId,
        });
    }
}
