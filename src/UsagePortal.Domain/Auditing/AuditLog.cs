using UsagePortal.Data;
using UsagePortal.Data.Auditing;

namespace UsagePortal.Domain.Auditing;

public static class AuditLog
{
    /// <summary>Adds an audit entry to the unit of work; it commits with the change it records.</summary>
    public static void Audit(this UsagePortalDbContext db, TimeProvider clock, string actor, string action, string subject, string? details = null, int? customerId = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Actor = actor,
            Action = action,
            Subject = subject,
            Details = details,
            CustomerId = customerId,
        });
}
