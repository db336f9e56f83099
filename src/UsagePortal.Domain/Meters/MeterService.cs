using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Auditing;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Meters;

public sealed record MeterSaved(Meter Meter, MeterVersion Version, bool Created, bool Changed);

/// <summary>
/// Creates meters and changes them. A meter that has counted no events yet changes at once. A meter already in
/// use keeps its meaning for the periods it has counted: the new definition is a new version in force from the
/// start of the next calendar month (UTC), and the change is written to the audit log.
/// </summary>
public sealed class MeterService(UsagePortalDbContext db, TimeProvider clock)
{
    /// <summary>Every meter by code, with all its versions (the API's list).</summary>
    public async Task<IReadOnlyList<Meter>> AllAsync(CancellationToken cancellationToken = default) =>
        await db.Meters.AsNoTracking().Include(m => m.Versions).OrderBy(m => m.Code).ToListAsync(cancellationToken);

    public async Task<Result<MeterSaved>> SaveAsync(MeterDefinition definition, string actor, CancellationToken cancellationToken = default)
    {
        var errors = definition.Validate().Select(e => new FieldError(e.Field, e.Reason)).ToList();
        if (errors.Count > 0)
        {
            return Result<MeterSaved>.Invalid(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var meter = await db.Meters.Include(m => m.Versions).SingleOrDefaultAsync(m => m.Code == definition.Code, cancellationToken);
        if (meter is null)
        {
            meter = new Meter { Code = definition.Code, Name = definition.Name, CreatedAt = now };
            var first = new MeterVersion { Version = 1, EffectiveFrom = now, CreatedAt = now, CreatedBy = actor, EventType = "", Aggregation = "" };
            MeterMapping.CopyDefinition(definition, first);
            meter.Versions.Add(first);
            db.Meters.Add(meter);
            db.Audit(clock, actor, "meter.created", $"meter:{meter.Code}", $"{first.Aggregation} of {first.EventType}");
            await db.SaveChangesAsync(cancellationToken);
            return Result<MeterSaved>.Ok(new MeterSaved(meter, first, Created: true, Changed: true));
        }

        var latest = meter.Versions.OrderBy(v => v.Version).Last();
        if (meter.Name != definition.Name)
        {
            db.Audit(clock, actor, "meter.renamed", $"meter:{meter.Code}", $"from '{meter.Name}' to '{definition.Name}'");
            meter.Name = definition.Name;
        }

        if (MeterMapping.SameMeaning(MeterMapping.ToDefinition(meter, latest), definition))
        {
            await db.SaveChangesAsync(cancellationToken);
            return Result<MeterSaved>.Ok(new MeterSaved(meter, latest, Created: false, Changed: false));
        }

        var inUse = await db.UsageRollups.AnyAsync(r => r.MeterId == meter.Id, cancellationToken);
        MeterVersion version;
        if (!inUse || latest.EffectiveFrom > now)
        {
            // Nothing was counted with this version yet (unused, or scheduled for later): replace it. It counts
            // events received from now on, like a new version.
            version = latest;
            version.CreatedAt = now;
        }
        else
        {
            var nextMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
            version = new MeterVersion { Version = latest.Version + 1, EffectiveFrom = nextMonth, CreatedAt = now, CreatedBy = actor, EventType = "", Aggregation = "" };
            meter.Versions.Add(version);
        }

        MeterMapping.CopyDefinition(definition, version);
        db.Audit(clock, actor, "meter.changed", $"meter:{meter.Code}", $"version {version.Version} in force from {version.EffectiveFrom:O}: {version.Aggregation} of {version.EventType}");
        await db.SaveChangesAsync(cancellationToken);
        return Result<MeterSaved>.Ok(new MeterSaved(meter, version, Created: false, Changed: true));
    }
}
