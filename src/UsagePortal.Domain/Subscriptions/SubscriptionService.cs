using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Plans;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Subscriptions;

/// <summary>A subscription with its phases (plan versions and plans loaded) and its customer's externalId.</summary>
public sealed record SubscriptionDetails(Subscription Subscription, string Customer)
{
    /// <summary>The phase that describes the subscription at <paramref name="now"/>: in force then, else the first (not started yet) or the last (ended).</summary>
    public SubscriptionPhase? PhaseShown(DateTime now) =>
        SubscriptionSchedule.PhaseAt(Subscription, now)
        ?? (now < Subscription.StartsAt ? Subscription.Phases.MinBy(p => p.StartsAt) : Subscription.Phases.MaxBy(p => p.StartsAt));
}

/// <summary>A change of plan, as the API and the admin form send it.</summary>
/// <param name="Plan">The plan code.</param>
/// <param name="PlanVersion">The version; the latest when null.</param>
/// <param name="At"><see cref="ChangeTiming.Now"/> or <see cref="ChangeTiming.PeriodEnd"/>.</param>
/// <param name="ProrationDate">For a change now: the instant of the preview it confirms (Stripe's <c>proration_date</c>).</param>
public sealed record PlanChange(string? Plan, int? PlanVersion, string? At, DateTime? ProrationDate = null);

/// <summary>
/// A plan change's effect on the next invoice, computed without changing anything.
/// </summary>
/// <param name="ProrationDate">The instant the preview was computed at; a change now confirmed with it takes effect then.</param>
/// <param name="ChangesFrom">When the new plan would start.</param>
/// <param name="Version">The plan version moved to.</param>
/// <param name="Before">The next invoice as things stand; null when every period is invoiced.</param>
/// <param name="After">The next invoice with the change.</param>
public sealed record PlanChangePreview(DateTime ProrationDate, DateTime ChangesFrom, PlanVersion Version, InvoiceForecast? Before, InvoiceForecast? After);

/// <summary>The outcome of moving a plan's subscriptions to its latest version: how many moved, and each refusal with its reason.</summary>
public sealed record VersionMove(int Moved, IReadOnlyList<(int Subscription, string Reason)> Refused);

/// <summary>A new subscription, as the API and the admin form send it.</summary>
/// <param name="Customer">The customer's externalId.</param>
/// <param name="Plan">The plan code.</param>
/// <param name="PlanVersion">The version; the latest when null.</param>
/// <param name="StartDate">A date (local midnight in the billing zone) or an RFC 3339 instant; now when null.</param>
/// <param name="BillingAnchor"><c>calendar</c> (default) or <c>anniversary</c>.</param>
/// <param name="TimeZone">IANA id; the customer's zone when null.</param>
/// <param name="Overrides">Charges that replace the plan's charge for the same meter, for this customer only.</param>
public sealed record SubscribeRequest(
    string? Customer,
    string? Plan,
    int? PlanVersion,
    string? StartDate,
    string? BillingAnchor,
    string? TimeZone,
    JsonElement? Overrides);

/// <summary>When a cancellation or a plan change takes effect.</summary>
public static class ChangeTiming
{
    public const string Now = "now";
    public const string PeriodEnd = "period_end";

    public static bool IsValid(string? at) => at is Now or PeriodEnd;
}

/// <summary>The wire names of a subscription's status.</summary>
public static class SubscriptionStatuses
{
    public const string Active = "active";

    /// <summary>Canceled, and still running until its end.</summary>
    public const string Canceled = "canceled";

    public const string Ended = "ended";

    public static string Of(Subscription subscription, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return subscription.EndsAt is { } ends && ends <= now ? Ended
            : subscription.CanceledAt is not null ? Canceled
            : Active;
    }
}

/// <summary>
/// Subscribes customers to plans, cancels subscriptions and moves them between plans. The business rules live here so
/// that the API and the admin pages share them: one subscription per customer at a time, the plan bills in the
/// customer's currency, a start at most a year ahead (a start in the past is allowed: its past periods are invoiced
/// promptly), overrides only for meters the plan charges.
/// </summary>
/// <remarks>
/// A plan change keeps the subscription's overrides: they belong to the customer, not to a plan version. An override
/// for a meter the new plan does not charge is ignored by the rater (<see cref="PeriodRater.EffectiveCharges"/>).
/// Changes to a running subscription claim its row lease first, as the invoicer does, so that a cancellation never
/// interleaves with the invoicer closing a period of the same subscription.
/// </remarks>
public sealed class SubscriptionService(UsagePortalDbContext db, TimeProvider clock, InvoicingSignal signal, IOptions<InvoicingOptions> options, InvoiceRunner invoices)
{
    /// <summary>How old a preview's proration date may be when the change it previewed is confirmed.</summary>
    public static readonly TimeSpan ProrationDateLimit = TimeSpan.FromHours(1);

    private const int ClaimAttempts = 25;
    private static readonly TimeSpan ClaimRetryDelay = TimeSpan.FromMilliseconds(200);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Result<SubscriptionDetails>> SubscribeAsync(SubscribeRequest request, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = Now;
        var errors = new List<FieldError>();
        Customer? customer = null;
        if (string.IsNullOrWhiteSpace(request.Customer))
        {
            errors.Add(new FieldError("customer", "is required: the customer's externalId."));
        }
        else
        {
            customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == request.Customer, cancellationToken);
            if (customer is null)
            {
                errors.Add(new FieldError("customer", $"no customer has externalId '{request.Customer}'."));
            }
        }

        var version = await ResolveVersionAsync(request.Plan, request.PlanVersion, errors, cancellationToken);

        var anchorName = request.BillingAnchor ?? BillingAnchorNames.ToName(BillingAnchor.Calendar);
        if (!BillingAnchorNames.TryParse(anchorName, out _))
        {
            errors.Add(new FieldError("billingAnchor", "must be 'calendar' or 'anniversary'."));
        }

        var zoneId = string.IsNullOrWhiteSpace(request.TimeZone) ? customer?.TimeZone ?? "UTC" : request.TimeZone.Trim();
        if (!TimeZones.TryFindIana(zoneId, out var zone))
        {
            errors.Add(new FieldError("timeZone", TimeZones.WindowsIdReason(zoneId) ?? $"'{zoneId}' is not an IANA time zone, such as Europe/Paris or UTC."));
        }

        DateTime? startsAt = now;
        if (!string.IsNullOrWhiteSpace(request.StartDate))
        {
            startsAt = zone is null ? null : ParseStart(request.StartDate.Trim(), zone);
            if (startsAt is null && zone is not null)
            {
                errors.Add(new FieldError("startDate", "must be a date (2026-09-01, midnight in the billing time zone) or an RFC 3339 instant (2026-09-01T00:00:00Z)."));
            }
            else if (startsAt > now.AddYears(1))
            {
                errors.Add(new FieldError("startDate", "must be at most a year from now."));
            }
            else if (startsAt < now - options.Value.MaxBackdate)
            {
                // Every past period is invoiced at once: an unbounded start would use up invoice numbers by the thousand.
                errors.Add(new FieldError("startDate", string.Create(CultureInfo.InvariantCulture,
                    $"must be at most {options.Value.MaxBackdate.TotalDays:0} days in the past (Billing:MaxBackdate); the earliest start allowed now is {now - options.Value.MaxBackdate:yyyy-MM-dd'T'HH:mm:ss'Z'}.")));
            }
        }

        if (customer is not null && version is not null && !string.Equals(version.Currency, customer.Currency, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError("plan", $"bills in {version.Currency}, but customer '{customer.ExternalId}' is billed in {customer.Currency}."));
        }

        string? overridesJson = null;
        if (request.Overrides is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } overridesElement)
        {
            var parseErrors = new List<ValidationError>();
            var overrides = PlanTerms.ParseCharges(overridesElement, "overrides", parseErrors);
            errors.AddRange(parseErrors.Select(e => new FieldError(e.Field, e.Reason)));
            if (parseErrors.Count == 0 && version is not null)
            {
                var charged = PeriodRater.ChargesOf(version).Select(c => c.Meter).ToHashSet(StringComparer.Ordinal);
                errors.AddRange(overrides.Select((o, i) => (o.Meter, i)).Where(o => !charged.Contains(o.Meter))
                    .Select(o => new FieldError($"overrides[{o.i}].meter", $"plan '{version.Plan!.Code}' version {version.Version} does not charge meter '{o.Meter}'; an override replaces one of the plan's charges.")));
            }

            overridesJson = overrides.Count > 0 ? PlanTerms.WriteCharges(overrides) : null;
        }

        if (errors.Count > 0)
        {
            return Result<SubscriptionDetails>.Invalid(errors);
        }

        var start = startsAt!.Value;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Serializes subscribing per customer (a row lock on PostgreSQL, the write lock on SQLite), so that two requests
        // at once cannot both find the customer free.
        await db.Customers.Where(c => c.Id == customer!.Id).ExecuteUpdateAsync(set => set.SetProperty(c => c.Currency, c => c.Currency), cancellationToken);
        var running = await db.Subscriptions.AsNoTracking()
            .Where(s => s.CustomerId == customer!.Id && (s.EndsAt == null || (s.EndsAt > start && s.EndsAt > s.StartsAt)))
            .Select(s => (int?)s.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (running is not null)
        {
            return Result<SubscriptionDetails>.Invalid(new FieldError("customer", $"already subscribed (subscription {running}): cancel it or change its plan."));
        }

        var subscription = new Subscription
        {
            CustomerId = customer!.Id,
            BillingAnchor = anchorName,
            TimeZone = zoneId,
            StartsAt = start,
            OverridesJson = overridesJson,
            CreatedAt = now,
            CreatedBy = actor,
            Phases = [new SubscriptionPhase { PlanVersionId = version!.Id, StartsAt = start }],
        };
        SubscriptionSchedule.ScheduleFrom(subscription, subscription.StartsAt);
        db.Subscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        db.Audit(clock, actor, "subscription.created", $"subscription:{subscription.Id}", AuditChange.Created(new AuditState
            {
                { "customer", customer.ExternalId },
                { "status", SubscriptionStatuses.Of(subscription, now) },
                { "plan", PlanName(version) },
                { "starts at", AuditValues.Instant(start) },
                { "billing anchor", anchorName },
                { "time zone", zoneId },
                { "overrides", overridesJson is null ? null : string.Join("; ", PlanTerms.ParseCharges(overridesJson).Select(c => PlanText.Describe(c, version.Currency))) },
            }),
            $"customer {customer.ExternalId} on plan {version.Plan!.Code} version {version.Version} from {start:O} ({anchorName}, {zoneId})", customer.Id);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (subscription.NextPeriodEnd <= now)
        {
            // A start in the past: its first period (and maybe more) is due already.
            signal.Notify();
        }

        return Result<SubscriptionDetails>.Ok((await FindAsync(subscription.Id, cancellationToken))!);
    }

    /// <summary>
    /// Cancels at the end of the current period, or now (the partial period is then invoiced promptly). A subscription
    /// that has not started yet never runs: it ends at its start.
    /// </summary>
    public async Task<Result<SubscriptionDetails>> CancelAsync(int id, string? at, string actor, CancellationToken cancellationToken = default)
    {
        if (!ChangeTiming.IsValid(at))
        {
            return Result<SubscriptionDetails>.Invalid(new FieldError("at", "must be 'period_end' or 'now'."));
        }

        var notify = false;
        var outcome = await ModifyAsync(id, (subscription, now) => Task.FromResult(Cancel(subscription, now)), cancellationToken);
        if (notify && outcome.Succeeded)
        {
            signal.Notify();
        }

        return outcome;

        Result<SubscriptionDetails>? Cancel(Subscription subscription, DateTime now)
        {
            if (subscription.EndsAt is { } ended && ended <= now)
            {
                return Result<SubscriptionDetails>.Conflict("at", $"the subscription ended at {ended:O}.");
            }

            if (subscription.CanceledAt is not null)
            {
                return Result<SubscriptionDetails>.Conflict("at", $"the subscription is already canceled; it ends at {subscription.EndsAt:O}.");
            }

            var before = StateOf(subscription, now);
            var period = SubscriptionSchedule.CurrentPeriod(subscription, now);
            var endsAt = period is null ? subscription.StartsAt : at == ChangeTiming.Now ? now : period.NominalEnd;
            subscription.EndsAt = endsAt;
            subscription.CanceledAt = now;
            foreach (var phase in subscription.Phases.ToList())
            {
                if (phase.StartsAt >= endsAt && phase.StartsAt != subscription.StartsAt)
                {
                    subscription.Phases.Remove(phase);
                    db.SubscriptionPhases.Remove(phase);
                }
                else if (phase.EndsAt is null || phase.EndsAt > endsAt)
                {
                    phase.EndsAt = endsAt;
                }
            }

            if (subscription.NextPeriodStart is { } next)
            {
                // Clips the period being billed to the end, or clears it when the end comes first.
                SubscriptionSchedule.ScheduleFrom(subscription, next);
            }

            notify = period is not null && at == ChangeTiming.Now;
            db.Audit(clock, actor, "subscription.canceled", $"subscription:{subscription.Id}", AuditChange.Of(before, StateOf(subscription, now)),
                period is null ? "before its start: it never runs" : $"{at}: ends at {endsAt:O}", subscription.CustomerId);
            return null;
        }
    }

    /// <summary>
    /// Moves a subscription to another plan (or version): now (usage before is rated on the old plan, after on the new;
    /// flat fees are prorated per phase), or at the end of the current period, replacing any change already scheduled.
    /// Changing to the plan already in force removes a scheduled change. A subscription that has not started yet
    /// starts on the new plan.
    /// </summary>
    public Task<Result<SubscriptionDetails>> ChangePlanAsync(int id, string? plan, int? planVersion, string? at, string actor, CancellationToken cancellationToken = default) =>
        ChangePlanAsync(id, new PlanChange(plan, planVersion, at), actor, cancellationToken);

    /// <summary>
    /// Moves a subscription to another plan; see the overload. A change <c>now</c> with a
    /// <see cref="PlanChange.ProrationDate"/> (the instant a preview was computed at, at most
    /// <see cref="ProrationDateLimit"/> old) takes effect at that instant, so the invoice prorates exactly as the preview did.
    /// </summary>
    public async Task<Result<SubscriptionDetails>> ChangePlanAsync(int id, PlanChange change, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (version, errors) = await CheckAsync(change, cancellationToken);
        if (errors.Count > 0)
        {
            return Result<SubscriptionDetails>.Invalid(errors);
        }

        return await ModifyAsync(id, async (subscription, now) =>
            await CurrencyErrorAsync(subscription, version!, cancellationToken) ?? ChangePhases(subscription, version!, change.At!, now, change.ProrationDate, actor), cancellationToken);
    }

    /// <summary>
    /// What <paramref name="change"/> would do to the next invoice, without changing anything: that invoice's lines and
    /// totals as the invoicer would make them with the usage so far, with the change and without it. Its
    /// <see cref="PlanChangePreview.ProrationDate"/> passed back with the change makes the invoice prorate at the same instant.
    /// </summary>
    public async Task<Result<PlanChangePreview>> PreviewChangeAsync(int id, PlanChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (version, errors) = await CheckAsync(change with { ProrationDate = null }, cancellationToken);
        if (errors.Count > 0)
        {
            return Result<PlanChangePreview>.Invalid(errors);
        }

        var now = Now;
        db.ChangeTracker.Clear();
        try
        {
            var subscription = await db.Subscriptions
                .Include(s => s.Phases).ThenInclude(p => p.PlanVersion).ThenInclude(v => v!.Plan)
                .AsSplitQuery()
                .SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
            if (subscription is null)
            {
                return Result<PlanChangePreview>.NotFound($"No subscription has id {id}.");
            }

            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == subscription.CustomerId, cancellationToken);
            if (await CurrencyErrorAsync(subscription, version!, cancellationToken) is { } currencyError)
            {
                return Result<PlanChangePreview>.Invalid(currencyError.Errors);
            }

            var before = await invoices.ForecastAsync(subscription, customer, now, cancellationToken);
            // The change is made on the loaded entities only: nothing is saved, and the tracker is cleared below.
            if (ChangePhases(subscription, version!, change.At!, now, null, "preview") is { } refused)
            {
                return new Result<PlanChangePreview>(default, refused.Kind, refused.Errors);
            }

            foreach (var phase in subscription.Phases.Where(p => p.PlanVersionId == version!.Id))
            {
                phase.PlanVersion = version;
            }

            var after = await invoices.ForecastAsync(subscription, customer, now, cancellationToken);
            var from = subscription.Phases.Where(p => p.PlanVersionId == version!.Id).Max(p => p.StartsAt);
            return Result<PlanChangePreview>.Ok(new PlanChangePreview(now, from, version!, before, after));
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task<(PlanVersion? Version, List<FieldError> Errors)> CheckAsync(PlanChange change, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var version = await ResolveVersionAsync(change.Plan, change.PlanVersion, errors, cancellationToken);
        if (!ChangeTiming.IsValid(change.At))
        {
            errors.Add(new FieldError("at", "must be 'now' or 'period_end'."));
        }
        else if (change.ProrationDate is { } date)
        {
            var now = Now;
            if (change.At != ChangeTiming.Now)
            {
                errors.Add(new FieldError("prorationDate", "applies only to a change made now; a change at the period's end starts with the next period."));
            }
            else if (date > now || date < now - ProrationDateLimit)
            {
                errors.Add(new FieldError("prorationDate", $"must be within the last {ProrationDateLimit.TotalMinutes:0} minutes (a preview's instant); preview the change again."));
            }
        }

        return (version, errors);
    }

    private async Task<Result<SubscriptionDetails>?> CurrencyErrorAsync(Subscription subscription, PlanVersion version, CancellationToken cancellationToken)
    {
        var currency = await db.Customers.AsNoTracking().Where(c => c.Id == subscription.CustomerId).Select(c => c.Currency).SingleAsync(cancellationToken);
        return string.Equals(currency, version.Currency, StringComparison.OrdinalIgnoreCase)
            ? null
            : Result<SubscriptionDetails>.Invalid(new FieldError("plan", $"bills in {version.Currency}, but the customer is billed in {currency}."));
    }

    /// <summary>
    /// The subscriptions on an older version of plan <paramref name="code"/> now or later (a phase on it not ended yet):
    /// those a new version can be moved to.
    /// </summary>
    public async Task<IReadOnlyList<int>> OnOlderVersionsAsync(string code, CancellationToken cancellationToken = default)
    {
        var now = Now;
        var latest = await db.PlanVersions.Where(v => v.Plan!.Code == code).MaxAsync(v => (int?)v.Version, cancellationToken);
        return latest is null
            ? []
            : await db.SubscriptionPhases.AsNoTracking()
                .Where(p => p.PlanVersion!.Plan!.Code == code && p.PlanVersion.Version < latest && (p.EndsAt == null || p.EndsAt > now))
                .Select(p => p.SubscriptionId)
                .Distinct()
                .OrderBy(id => id)
                .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Moves every subscription on an older version of plan <paramref name="code"/> to its latest version, now or at the end
    /// of each one's current period: one change (and one audit entry) per subscription, as if made one by one.
    /// </summary>
    public async Task<VersionMove> MoveToLatestVersionAsync(string code, string? at, string actor, CancellationToken cancellationToken = default)
    {
        var moved = 0;
        var refused = new List<(int Subscription, string Reason)>();
        foreach (var id in await OnOlderVersionsAsync(code, cancellationToken))
        {
            var outcome = await ChangePlanAsync(id, new PlanChange(code, null, at), actor, cancellationToken);
            if (outcome.Succeeded)
            {
                moved++;
            }
            else
            {
                refused.Add((id, string.Join("; ", outcome.Errors.Select(e => $"{e.Field}: {e.Reason}"))));
            }
        }

        return new VersionMove(moved, refused);
    }

    /// <summary>A subscription with its phases, plan versions and plans, and its customer's externalId; null when unknown.</summary>
    public async Task<SubscriptionDetails?> FindAsync(int id, CancellationToken cancellationToken = default) =>
        (await QueryAsync(db.Subscriptions.Where(s => s.Id == id), cancellationToken)).SingleOrDefault();

    /// <summary>Every subscription, or a customer's (by externalId), newest first.</summary>
    public Task<IReadOnlyList<SubscriptionDetails>> ListAsync(string? customerExternalId, CancellationToken cancellationToken = default)
    {
        var query = db.Subscriptions.AsQueryable();
        if (customerExternalId is not null)
        {
            query = query.Where(s => db.Customers.Any(c => c.Id == s.CustomerId && c.ExternalId == customerExternalId));
        }

        return QueryAsync(query, cancellationToken);
    }

    /// <summary>A customer's subscriptions, newest first.</summary>
    public Task<IReadOnlyList<SubscriptionDetails>> ForCustomerAsync(int customerId, CancellationToken cancellationToken = default) =>
        QueryAsync(db.Subscriptions.Where(s => s.CustomerId == customerId), cancellationToken);

    /// <summary>
    /// A start date: <c>yyyy-MM-dd</c> is local midnight in <paramref name="zone"/> (a midnight skipped by a daylight-saving
    /// jump moves to the first valid instant after it, as billing periods do); otherwise an RFC 3339 instant with an offset.
    /// </summary>
    public static DateTime? ParseStart(string text, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(zone);
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return LocalCalendar.StartOfDay(date, zone);
        }

        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        return hasOffset && DateTimeOffset.TryParseExact(text.ToUpperInvariant(), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            ? instant.UtcDateTime
            : null;
    }

    private Result<SubscriptionDetails>? ChangePhases(Subscription subscription, PlanVersion version, string at, DateTime now, DateTime? prorationDate, string actor)
    {
        if (subscription.EndsAt is { } ended && ended <= now)
        {
            return Result<SubscriptionDetails>.Conflict("at", $"the subscription ended at {ended:O}.");
        }

        var started = now >= subscription.StartsAt;
        var current = started ? SubscriptionSchedule.PhaseAt(subscription, now) : subscription.Phases.MinBy(p => p.StartsAt);
        if (current is null)
        {
            return Result<SubscriptionDetails>.Conflict("at", "the subscription has no phase in force now.");
        }

        DateTime from;
        if (!started)
        {
            from = subscription.StartsAt;
        }
        else if (at == ChangeTiming.Now)
        {
            from = prorationDate ?? now;
            var period = SubscriptionSchedule.CurrentPeriod(subscription, now);
            if (from < current.StartsAt || (period is not null && from < period.Start))
            {
                return Result<SubscriptionDetails>.Invalid(new FieldError("prorationDate", "is before the current period or plan phase began; preview the change again."));
            }
        }
        else
        {
            from = SubscriptionSchedule.CurrentPeriod(subscription, now)!.NominalEnd;
            if (subscription.EndsAt is { } ends && from >= ends)
            {
                return Result<SubscriptionDetails>.Invalid(new FieldError("at", $"the subscription ends at {ends:O}, before its current period would: change the plan now instead."));
            }
        }

        var future = subscription.Phases.Where(p => p != current && p.StartsAt > now).ToList();
        var reuse = current.PlanVersionId == version.Id || current.StartsAt == from ? null : future.FirstOrDefault(p => p.StartsAt == from);
        if (current.PlanVersionId == version.Id && future.Count == 0 && current.EndsAt == subscription.EndsAt)
        {
            return Result<SubscriptionDetails>.Invalid(new FieldError("plan", $"the subscription is already on plan '{version.Plan!.Code}' version {version.Version}."));
        }

        var before = StateOf(subscription, now);
        foreach (var phase in future.Where(p => p != reuse))
        {
            subscription.Phases.Remove(phase);
            db.SubscriptionPhases.Remove(phase);
        }

        var previous = current.PlanVersion;
        if (current.PlanVersionId == version.Id)
        {
            // Back to the plan in force: the scheduled change is gone, the current phase runs on.
            current.EndsAt = subscription.EndsAt;
        }
        else if (!started || current.StartsAt == from)
        {
            current.PlanVersionId = version.Id;
            current.EndsAt = subscription.EndsAt;
        }
        else
        {
            current.EndsAt = from;
            if (reuse is not null)
            {
                reuse.PlanVersionId = version.Id;
                reuse.EndsAt = subscription.EndsAt;
            }
            else
            {
                subscription.Phases.Add(new SubscriptionPhase { PlanVersionId = version.Id, StartsAt = from, EndsAt = subscription.EndsAt });
            }
        }

        var after = StateOf(subscription, now, version);
        after.Add("takes effect", $"{at}: {AuditValues.Instant(from)}");
        db.Audit(clock, actor, "subscription.plan_changed", $"subscription:{subscription.Id}", AuditChange.Of(before, after),
            $"from plan {previous?.Plan?.Code} version {previous?.Version} to plan {version.Plan!.Code} version {version.Version}, {at}: from {from:O}", subscription.CustomerId);
        return null;
    }

    /// <summary>
    /// A subscription as the audit log records it at <paramref name="now"/>: its status, the plan it is on then (the first
    /// before it starts, the last after it ends), the plan changes scheduled after that, and its end.
    /// <paramref name="movedTo"/> names the version a phase was just moved to (its navigation is not loaded yet).
    /// </summary>
    private static AuditState StateOf(Subscription subscription, DateTime now, PlanVersion? movedTo = null)
    {
        var shown = new SubscriptionDetails(subscription, "").PhaseShown(now);
        var later = subscription.Phases.Where(p => shown is not null && p.StartsAt > shown.StartsAt).OrderBy(p => p.StartsAt).ToList();
        return new AuditState
        {
            { "status", SubscriptionStatuses.Of(subscription, now) },
            { "plan", shown is null ? null : Plan(shown) },
            { "plan changes", later.Count == 0 ? null : string.Join("; ", later.Select(p => $"{Plan(p)} from {AuditValues.Instant(p.StartsAt)}")) },
            { "ends at", AuditValues.Instant(subscription.EndsAt) },
            { "canceled at", AuditValues.Instant(subscription.CanceledAt) },
        };

        string Plan(SubscriptionPhase phase) =>
            (movedTo is not null && phase.PlanVersionId == movedTo.Id ? movedTo : phase.PlanVersion) is { } version
                ? PlanName(version)
                : $"plan version {phase.PlanVersionId}";
    }

    /// <summary>"growth version 2".</summary>
    private static string PlanName(PlanVersion version) => $"{version.Plan?.Code} version {version.Version}";

    /// <summary>
    /// Claims the subscription's row lease inside a transaction (waiting while the invoicer holds it), applies
    /// <paramref name="change"/> to the tracked subscription, releases the lease and saves, all in one commit.
    /// </summary>
    private async Task<Result<SubscriptionDetails>> ModifyAsync(int id, Func<Subscription, DateTime, Task<Result<SubscriptionDetails>?>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= ClaimAttempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var now = Now;
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                var claimed = await db.Subscriptions
                    .Where(s => s.Id == id && (s.LeasedUntil == null || s.LeasedUntil < now))
                    .ExecuteUpdateAsync(set => set.SetProperty(s => s.LeasedUntil, now.AddMinutes(1)), cancellationToken);
                if (claimed == 1)
                {
                    var subscription = await db.Subscriptions
                        .Include(s => s.Phases).ThenInclude(p => p.PlanVersion).ThenInclude(v => v!.Plan)
                        .AsSplitQuery()
                        .SingleAsync(s => s.Id == id, cancellationToken);
                    var failure = await change(subscription, now);
                    if (failure is not null)
                    {
                        await transaction.RollbackAsync(cancellationToken);
                        return failure;
                    }

                    subscription.LeasedUntil = null;
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                    return Result<SubscriptionDetails>.Ok((await FindAsync(id, cancellationToken))!);
                }

                await transaction.RollbackAsync(cancellationToken);
            }

            if (!await db.Subscriptions.AnyAsync(s => s.Id == id, cancellationToken))
            {
                return Result<SubscriptionDetails>.NotFound($"No subscription has id {id}.");
            }

            // The invoicer is closing a period of this subscription: wait for it rather than interleave.
            await Task.Delay(ClaimRetryDelay, cancellationToken);
        }

        return Result<SubscriptionDetails>.Conflict("id", "the subscription is being invoiced right now; try again in a moment.");
    }

    private async Task<PlanVersion?> ResolveVersionAsync(string? code, int? number, List<FieldError> errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            errors.Add(new FieldError("plan", "is required: a plan code."));
            return null;
        }

        var versions = db.PlanVersions.AsNoTracking().Include(v => v.Plan).Where(v => v.Plan!.Code == code);
        var version = number is { } n
            ? await versions.SingleOrDefaultAsync(v => v.Version == n, cancellationToken)
            : await versions.OrderByDescending(v => v.Version).FirstOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            errors.Add(number is null || !await versions.AnyAsync(cancellationToken)
                ? new FieldError("plan", $"no plan has code '{code}'.")
                : new FieldError("planVersion", $"plan '{code}' has no version {number}."));
        }

        return version;
    }

    private async Task<IReadOnlyList<SubscriptionDetails>> QueryAsync(IQueryable<Subscription> query, CancellationToken cancellationToken)
    {
        var subscriptions = await query.AsNoTracking()
            .Include(s => s.Phases).ThenInclude(p => p.PlanVersion).ThenInclude(v => v!.Plan)
            .AsSplitQuery()
            .OrderByDescending(s => s.StartsAt).ThenByDescending(s => s.Id)
            .ToListAsync(cancellationToken);
        var customerIds = subscriptions.Select(s => s.CustomerId).Distinct().ToList();
        var externalIds = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.ExternalId, cancellationToken);
        foreach (var subscription in subscriptions)
        {
            subscription.Phases = [.. subscription.Phases.OrderBy(p => p.StartsAt)];
        }

        return [.. subscriptions.Select(s => new SubscriptionDetails(s, externalIds[s.CustomerId]))];
    }
}
