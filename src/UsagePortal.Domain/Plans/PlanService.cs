using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Storage;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Plans;

/// <summary>A plan version as published: the plan row and the version, and whether the plan itself is new.</summary>
public sealed record PlanPublished(Plan Plan, PlanVersion Version, bool Created);

/// <summary>
/// Publishes plans and reads them back. Posting a plan makes a new immutable version of its code (the first post makes
/// version 1); subscriptions keep the version they are on until they are moved, so a new version never reprices a
/// running period. Used by the plans API and the admin pages alike.
/// </summary>
public sealed class PlanService(UsagePortalDbContext db, TimeProvider clock, ILogger<PlanService> logger, IDatabaseDialect dialect)
{
    /// <summary>Two first publications of one code at once race to create the plan; the loser tries again, as a new version.</summary>
    private const int Attempts = 3;

    /// <summary>Parses <paramref name="json"/> (the plan JSON as text, e.g. pasted in the admin form) and publishes it.</summary>
    public async Task<Result<PlanPublished>> PublishAsync(string json, string actor, CancellationToken cancellationToken = default)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            return Result<PlanPublished>.Invalid(new FieldError("body", $"is not valid JSON: {exception.Message.Split(" Path:")[0]}"));
        }

        using (document)
        {
            return await PublishAsync(document.RootElement, actor, cancellationToken);
        }
    }

    /// <summary>Validates the plan JSON (every error names its field) and stores it as the plan's next version.</summary>
    public async Task<Result<PlanPublished>> PublishAsync(JsonElement body, string actor, CancellationToken cancellationToken = default)
    {
        var parsed = PlanTerms.Parse(body);
        var errors = parsed.Errors.Select(e => new FieldError(e.Field == "$" ? "body" : e.Field, e.Reason)).ToList();
        if (parsed.Terms is { } parsedTerms)
        {
            errors.AddRange(await UnknownMetersAsync(parsedTerms.Charges, "charges", cancellationToken));
        }

        if (errors.Count > 0 || parsed.Terms is not { } terms)
        {
            return Result<PlanPublished>.Invalid(errors);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Result<PlanPublished>.Ok(await StoreAsync(terms, actor, cancellationToken));
            }
            catch (DbUpdateException exception) when (dialect.IsUniqueViolation(exception) && attempt < Attempts)
            {
                logger.LogInformation("Plan {Code} was created concurrently; publishing this one as its next version.", terms.Code);
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>The latest version of every plan, by code.</summary>
    public async Task<IReadOnlyList<PlanVersion>> ListLatestAsync(CancellationToken cancellationToken = default)
    {
        var plans = await db.Plans.AsNoTracking().Include(p => p.Versions).OrderBy(p => p.Code).ToListAsync(cancellationToken);
        return [.. plans.Where(p => p.Versions.Count > 0).Select(p => p.Versions.MaxBy(v => v.Version)!)];
    }

    /// <summary>A plan with all its versions (each pointing back at the plan), or null.</summary>
    public async Task<Plan?> FindAsync(string code, CancellationToken cancellationToken = default)
    {
        var plan = await db.Plans.AsNoTracking().Include(p => p.Versions).SingleOrDefaultAsync(p => p.Code == code, cancellationToken);
        if (plan is not null)
        {
            plan.Versions = [.. plan.Versions.OrderBy(v => v.Version)];
        }

        return plan;
    }

    /// <summary>How many subscriptions were ever on each version of <paramref name="plan"/> (by version id; a version none was on is absent).</summary>
    public async Task<IReadOnlyDictionary<int, int>> SubscriptionCountsAsync(Plan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var versionIds = plan.Versions.Select(v => v.Id).ToList();
        return await db.SubscriptionPhases.AsNoTracking()
            .Where(p => versionIds.Contains(p.PlanVersionId))
            .GroupBy(p => p.PlanVersionId)
            .Select(g => new { g.Key, Count = g.Select(p => p.SubscriptionId).Distinct().Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
    }

    /// <summary>Errors for every charge whose meter does not exist, under <paramref name="path"/> (<c>charges[1].meter</c>).</summary>
    public async Task<IReadOnlyList<FieldError>> UnknownMetersAsync(IReadOnlyList<PlanCharge> charges, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charges);
        var codes = charges.Select(c => c.Meter).Distinct().ToList();
        var known = await db.Meters.AsNoTracking().Where(m => codes.Contains(m.Code)).Select(m => m.Code).ToListAsync(cancellationToken);
        return [.. charges.Select((c, i) => (c.Meter, i)).Where(c => !known.Contains(c.Meter)).Select(c => new FieldError($"{path}[{c.i}].meter", $"no meter has code '{c.Meter}'"))];
    }

    private async Task<PlanPublished> StoreAsync(PlanTerms terms, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var plan = await db.Plans.SingleOrDefaultAsync(p => p.Code == terms.Code, cancellationToken);
        var created = plan is null;
        if (plan is null)
        {
            // A second creator of the same code at once fails on the unique code and comes back as a new version.
            plan = new Plan { Code = terms.Code, CreatedAt = now };
            db.Plans.Add(plan);
            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            // Versions of one plan are numbered one publication at a time: a row lock on PostgreSQL, the write lock on SQLite.
            await db.Plans.Where(p => p.Id == plan.Id).ExecuteUpdateAsync(set => set.SetProperty(p => p.Code, p => p.Code), cancellationToken);
        }

        var previous = await db.PlanVersions.AsNoTracking().Where(v => v.PlanId == plan.Id).OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
        var latest = previous?.Version ?? 0;
        var version = new PlanVersion
        {
            Plan = plan,
            Version = latest + 1,
            Name = terms.Name,
            Currency = terms.Currency.Code,
            Interval = terms.Interval,
            FlatFeeMinorUnits = terms.FlatFeeMinorUnits,
            MinimumCommitmentMinorUnits = terms.MinimumCommitmentMinorUnits,
            ChargesJson = PlanTerms.WriteCharges(terms.Charges),
            CreatedAt = now,
            CreatedBy = actor,
        };
        db.PlanVersions.Add(version);
        db.Audit(clock, actor, created ? "plan.created" : "plan.published", $"plan:{terms.Code}",
            AuditChange.Of(previous is null ? null : StateOf(previous), StateOf(version)),
            $"version {version.Version}: {terms.Currency.Code}, flat fee {terms.Currency.FormatMinorUnits(terms.FlatFeeMinorUnits)}, {terms.Charges.Count} charge(s)");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new PlanPublished(plan, version, created);
    }

    /// <summary>A version's terms as the audit log records them: one field per charge (keyed by its meter), in its own words.</summary>
    private static AuditState StateOf(PlanVersion version)
    {
        var state = new AuditState
        {
            { "version", AuditValues.Number(version.Version) },
            { "name", version.Name },
            { "currency", version.Currency },
            { "interval", version.Interval },
            { "flat fee", PlanText.Money(version.FlatFeeMinorUnits, version.Currency) },
            { "minimum commitment", PlanText.Money(version.MinimumCommitmentMinorUnits, version.Currency) },
        };
        foreach (var charge in PeriodRater.ChargesOf(version))
        {
            // Keyed by meter, so that the diff pairs a meter's charge before and after however the list was reordered;
            // a meter charged twice gets a numbered second field.
            var field = $"charge {charge.Meter}";
            for (var n = 2; state.ContainsKey(field); n++)
            {
                field = $"charge {charge.Meter} ({n})";
            }

            state.Add(field, PlanText.Describe(charge, version.Currency));
        }

        return state;
    }
}
