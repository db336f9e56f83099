using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Auditing;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Meters;

public sealed record MeterSaved(Meter Meter, MeterVersion Version, bool Created, bool Changed);

/// <summary>
/// What saving a definition does, decided before anything is written, so a form can say it first: create the meter,
/// change nothing (or only its name), change what it counts at once, or schedule a new version from
/// <see cref="EffectiveFrom"/> (a meter that has counted events keeps its meaning for the periods it counted).
/// </summary>
public sealed record MeterSaveEffect(bool Creates, bool ChangesMeaning, bool Renames, bool AddsVersion, int Version, DateTime EffectiveFrom)
{
    /// <summary>Whether the new definition applies only from a later moment than <paramref name="now"/> (the next month).</summary>
    public bool AppliesLater(DateTime now) => ChangesMeaning && EffectiveFrom > now;
}

/// <summary>A meter as the meters page lists it: the version in force now and a version scheduled after it, if any.</summary>
public sealed record MeterOverview(string Code, string Name, int Version, MeterDefinition Current, ScheduledMeterVersion? Scheduled)
{
    /// <summary>When the meter last counted an event (the latest update of its rollups, written as the event was ingested); null before the first.</summary>
    public DateTime? LastCountedAt { get; init; }
}

public sealed record ScheduledMeterVersion(int Version, DateTime From, MeterDefinition Definition);

public sealed class MeterService(UsagePortalDbContext db, TimeProvider clock)
{
    public async Task<Result<MeterSaved>> SaveAsync(MeterDefinition definition, string actor, CancellationToken cancellationToken = default)
    {
        var errors = definition.Validate().Select(e => new FieldError(e.Field, e.Reason)).ToList();
        if (errors.Count > 0)
        {
            return Result<MeterSaved>.Invalid(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var meter = await db.Meters.Include(m => m.Versions).SingleOrDefaultAsync(m => m.Code == definition.Code, cancellationToken);
        var effect = await DecideAsync(meter, definition, now, cancellationToken);
        if (meter is null)
        {
            meter = new Meter { Code = definition.Code, Name = definition.Name, CreatedAt = now };
            var first = new MeterVersion { Version = 1, EffectiveFrom = now, CreatedAt = now, CreatedBy = actor, EventType = "", Aggregation = "" };
            MeterMapping.CopyDefinition(definition, first);
            meter.Versions.Add(first);
            db.Meters.Add(meter);
            db.Audit(clock, actor, "meter.created", $"meter:{meter.Code}", AuditChange.Created(StateOf(first, meter.Name)), $"{first.Aggregation} of {first.EventType}");
            await db.SaveChangesAsync(cancellationToken);
            return Result<MeterSaved>.Ok(new MeterSaved(meter, first, Created: true, Changed: true));
        }

        var latest = meter.Versions.OrderBy(v => v.Version).Last();
        // Taken before anything changes: a version that counted nothing yet is replaced in place below.
        var before = StateOf(latest);
        if (effect.Renames)
        {
            db.Audit(clock, actor, "meter.renamed", $"meter:{meter.Code}",
                AuditChange.Of(new AuditState { { "name", meter.Name } }, new AuditState { { "name", definition.Name } }),
                $"from '{meter.Name}' to '{definition.Name}'");
            meter.Name = definition.Name;
        }

        if (!effect.ChangesMeaning)
        {
            await db.SaveChangesAsync(cancellationToken);
            return Result<MeterSaved>.Ok(new MeterSaved(meter, latest, Created: false, Changed: false));
        }

        MeterVersion version;
        if (!effect.AddsVersion)
        {
            // Nothing was counted with this version yet (unused, or scheduled for later): replace it. It counts
            // events received from now on, like a new version.
            version = latest;
            version.CreatedAt = now;
        }
        else
        {
            version = new MeterVersion { Version = effect.Version, EffectiveFrom = effect.EffectiveFrom, CreatedAt = now, CreatedBy = actor, EventType = "", Aggregation = "" };
            meter.Versions.Add(version);
        }

        MeterMapping.CopyDefinition(definition, version);
        db.Audit(clock, actor, "meter.changed", $"meter:{meter.Code}", AuditChange.Of(before, StateOf(version)), $"version {version.Version} in force from {version.EffectiveFrom:O}: {version.Aggregation} of {version.EventType}");
        await db.SaveChangesAsync(cancellationToken);
        return Result<MeterSaved>.Ok(new MeterSaved(meter, version, Created: false, Changed: true));
    }

    /// <summary>
    /// A version's definition as the audit log records it (the name too for a new meter; a rename is an entry of its own):
    /// filters by property, each with its values, and the group-by in its order.
    /// </summary>
    private static AuditState StateOf(MeterVersion version, string? name = null)
    {
        var state = new AuditState();
        if (name is not null)
        {
            state.Add("name", name);
        }

        var filters = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(version.FiltersJson) ?? [];
        var groupBy = JsonSerializer.Deserialize<List<string>>(version.GroupByJson) ?? [];
        state.Add("version", AuditValues.Number(version.Version));
        state.Add("in force from", AuditValues.Instant(version.EffectiveFrom));
        state.Add("event type", version.EventType);
        state.Add("aggregation", version.Aggregation);
        state.Add("property", version.Property);
        state.Add("filters", filters.Count == 0 ? null
            : string.Join("; ", filters.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} in {string.Join(", ", f.Value)}")));
        state.Add("group by", groupBy.Count == 0 ? null : string.Join(", ", groupBy));
        return state;
    }

    /// <summary>What <see cref="SaveAsync"/> would do with <paramref name="definition"/> now, without writing anything (the form says it before saving).</summary>
    public async Task<MeterSaveEffect> PreviewAsync(MeterDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var meter = await db.Meters.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Code == definition.Code, cancellationToken);
        return await DecideAsync(meter, definition, clock.GetUtcNow().UtcDateTime, cancellationToken);
    }

    /// <summary>Every meter by code, with the version in force now and the one scheduled after it.</summary>
    public async Task<IReadOnlyList<MeterOverview>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var meters = await db.Meters.AsNoTracking().Include(m => m.Versions).OrderBy(m => m.Code).ToListAsync(cancellationToken);
        var lastCounted = await LastCountedAsync(meters.Select(m => m.Id).ToList(), cancellationToken);
        return [.. meters.Where(m => m.Versions.Count > 0).Select(m =>
        {
            var versions = m.Versions.OrderBy(v => v.Version).ToList();
            // As LoadedMeter.At: the version in force now; the first one also covers the time before it.
            var current = versions.LastOrDefault(v => v.EffectiveFrom <= now) ?? versions[0];
            var next = versions.LastOrDefault(v => v.Version > current.Version);
            return new MeterOverview(m.Code, m.Name, current.Version, MeterMapping.ToDefinition(m, current),
                next is null ? null : new ScheduledMeterVersion(next.Version, next.EffectiveFrom, MeterMapping.ToDefinition(m, next)))
            {
                LastCountedAt = lastCounted.TryGetValue(m.Id, out var last) ? last : null,
            };
        })];
    }

    /// <summary>
    /// When each meter last counted an event: from the daily rollups (one row per customer, group and day, so one small
    /// read for all meters), and for a meter with no daily row (a database whose daily tier started after its last event)
    /// from its hourly rollups.
    /// </summary>
    private async Task<Dictionary<int, DateTime>> LastCountedAsync(IReadOnlyList<int> meterIds, CancellationToken cancellationToken)
    {
        var last = await db.UsageDailyRollups.AsNoTracking().GroupBy(r => r.MeterId)
            .Select(g => new { MeterId = g.Key, Last = g.Max(r => r.UpdatedAt) })
            .ToDictionaryAsync(x => x.MeterId, x => x.Last, cancellationToken);
        foreach (var id in meterIds.Where(id => !last.ContainsKey(id)))
        {
            if (await db.UsageRollups.AsNoTracking().Where(r => r.MeterId == id).MaxAsync(r => (DateTime?)r.UpdatedAt, cancellationToken) is { } hourly)
            {
                last[id] = hourly;
            }
        }

        return last;
    }

    /// <summary>Every meter by code with all its versions (the API answers each with its latest).</summary>
    public async Task<IReadOnlyList<Meter>> ListWithVersionsAsync(CancellationToken cancellationToken = default) =>
        await db.Meters.AsNoTracking().Include(m => m.Versions).OrderBy(m => m.Code).ToListAsync(cancellationToken);

    /// <summary>The latest definition of the meter <paramref name="code"/> (scheduled or in force), to start a change from; null when there is none.</summary>
    public async Task<MeterDefinition?> FindLatestAsync(string code, CancellationToken cancellationToken = default)
    {
        var meter = await db.Meters.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Code == code, cancellationToken);
        return meter is { Versions.Count: > 0 } ? MeterMapping.ToDefinition(meter, meter.Versions.MaxBy(v => v.Version)!) : null;
    }

    /// <summary>
    /// The one rule of what a save does: a new code creates the meter; the same meaning changes nothing (a new name is
    /// only a rename); a meter that has counted nothing with its latest version (unused, or that version is scheduled
    /// for later) has that version replaced; otherwise the new definition is the next version, from the start of the
    /// next calendar month (UTC).
    /// </summary>
    private async Task<MeterSaveEffect> DecideAsync(Meter? meter, MeterDefinition definition, DateTime now, CancellationToken cancellationToken)
    {
        if (meter is null || meter.Versions.Count == 0)
        {
            return new MeterSaveEffect(Creates: true, ChangesMeaning: true, Renames: false, AddsVersion: true, Version: 1, EffectiveFrom: now);
        }

        var latest = meter.Versions.OrderBy(v => v.Version).Last();
        var renames = meter.Name != definition.Name;
        if (MeterMapping.SameMeaning(MeterMapping.ToDefinition(meter, latest), definition))
        {
            return new MeterSaveEffect(Creates: false, ChangesMeaning: false, renames, AddsVersion: false, latest.Version, latest.EffectiveFrom);
        }

        var inUse = await db.UsageRollups.AnyAsync(r => r.MeterId == meter.Id, cancellationToken);
        if (!inUse || latest.EffectiveFrom > now)
        {
            return new MeterSaveEffect(Creates: false, ChangesMeaning: true, renames, AddsVersion: false, latest.Version, latest.EffectiveFrom > now ? latest.EffectiveFrom : now);
        }

        var nextMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        return new MeterSaveEffect(Creates: false, ChangesMeaning: true, renames, AddsVersion: true, latest.Version + 1, nextMonth);
    }
}
