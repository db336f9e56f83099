using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Metering;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Cost;

/// <summary>
/// A customer's cost: the current period's cost so far and its projection to the period's end (PRODUCT.md "Projection"),
/// and what any other range costs. Every amount goes through <see cref="PeriodRater"/>'s charges, so what is shown is
/// what the invoice will say.
/// </summary>
/// <remarks>
/// <para>The projection is made per charge line (per group of a grouped meter): the quantity so far plus the remaining
/// usage <see cref="UsageProjector"/> expects from the line's recent daily quantities, then priced through the same charge.
/// Tiers make cost non-linear in usage, so the cost is never extrapolated directly. The band's edges are priced the same
/// way, every line at its low (high) edge at once: the band assumes the meters move together, which makes it wider, never
/// narrower, than independent lines would. A pricing model that is not monotone (volume) can make the low edge cost more
/// than the expectation; the band is then widened to hold it.</para>
/// <para>Percentage charges that price event by event (free allowances, per-event limits) are projected with the events so
/// far plus more events of their mean value (<see cref="ProjectedEvents"/>); the chart's earlier days use the first events
/// up to each day's total. The others are priced on the summed value, like the invoice prices them.</para>
/// <para>Daily quantities come from the hourly rollups, each hour counted in the local day (of the subscription's zone) it
/// starts in; in zones whose offset is not a whole hour the days of the history and of the chart's past points are off by
/// that part of an hour. Where the zone's days are UTC days, the totals without the chart read the history from the daily
/// rollups instead (the same days, 24 times fewer rows). The figures so far and the projection's starting point are
/// exact: they come from the rater.</para>
/// </remarks>
public sealed class CostQuery(UsagePortalDbContext db, PeriodRater rater, UsageQuery usageQuery, DailyTierState tierState, InvoiceRunner invoices)
{
    /// <summary>The subscription of <paramref name="customerId"/> running at <paramref name="instant"/> (at most one), phases and plan versions loaded.</summary>
    /// <remarks>One query (one subscription, a few phases, one plan version each): split queries would cost two more round trips.</remarks>
    public Task<Subscription?> SubscriptionAtAsync(int customerId, DateTime instant, CancellationToken cancellationToken = default) =>
        db.Subscriptions.AsNoTracking()
            .Include(s => s.Phases).ThenInclude(p => p.PlanVersion)
            .AsSingleQuery()
            .Where(s => s.CustomerId == customerId && s.StartsAt <= instant && (s.EndsAt == null || s.EndsAt > instant))
            .OrderByDescending(s => s.StartsAt)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The current period's cost and projection, or null when no subscription runs at <paramref name="now"/> (no plan).</summary>
    public async Task<CurrentCost?> CurrentAsync(int customerId, DateTime now, CancellationToken cancellationToken = default)
    {
        var subscription = await SubscriptionAtAsync(customerId, now, cancellationToken);
        if (subscription is null || SubscriptionSchedule.CurrentPeriod(subscription, now) is not { } period)
        {
            return null;
        }

        return await CurrentAsync(subscription, period, now, await LoadedMeters.LoadAsync(db, cancellationToken), cancellationToken);
    }

    /// <summary>The cost of <paramref name="period"/> (the one containing <paramref name="now"/>) so far, and its projection.</summary>
    public Task<CurrentCost> CurrentAsync(Subscription subscription, BillingPeriod period, DateTime now, LoadedMeters meters, CancellationToken cancellationToken = default) =>
        CurrentAsync(subscription, period, now, meters, withChart: true, cancellationToken);

    /// <summary>
    /// The same without the chart's day-by-day series (the usage API answers totals only): no first-seen reading of
    /// unique values and no pricing of every day, so the answer costs fewer reads. Amounts and the projection are identical.
    /// </summary>
    public Task<CurrentCost> CurrentTotalsAsync(Subscription subscription, BillingPeriod period, DateTime now, LoadedMeters meters, CancellationToken cancellationToken = default) =>
        CurrentAsync(subscription, period, now, meters, withChart: false, cancellationToken);

    private async Task<CurrentCost> CurrentAsync(Subscription subscription, BillingPeriod period, DateTime now, LoadedMeters meters, bool withChart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(meters);
        var rated = await rater.RateAsync(subscription, period, meters, usageUntil: now, cancellationToken);
        var currency = rated.Currency;
        var soFar = PhaseFees.Subtotal(currency, rated.Lines, now);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(subscription.TimeZone);
        var days = new LocalDays(zone);
        var phases = PeriodRater.PhasesIn(subscription, period.Start, period.End);
        var plan = new PlanShape(subscription, period, currency, phases, rated, meters, now);

        var today = days.DateOf(now);
        var todayStart = days.Start(today);
        var historyStart = days.Start(today.AddDays(-UsageProjector.HistoryDays));
        var usage = await ReadDailyUsageAsync(subscription.CustomerId, plan, days, period, historyStart, todayStart, withChart, cancellationToken);

        var previous = await PreviousLevelsAsync(subscription, period, phases, meters, rated, cancellationToken);
        var charges = new List<ChargeSlots>();
        for (var index = 0; index < phases.Count; index++)
        {
            var phase = phases[index];
            var remaining = days.Remaining(now > phase.From ? now : phase.From, phase.To);
            foreach (var charge in phase.Charges)
            {
                charges.Add(await SlotsAsync(subscription.CustomerId, index, phase, charge, meters, rated, usage, previous, remaining, now, phases.Count > 1 ? PeriodRater.Stretch(zone, phase.From, phase.To) : "", cancellationToken));
            }
        }

        var actual = new List<CostPoint> { new(period.Start, plan.Cost(charges, (_, _) => null).Total) };
        var running = new Dictionary<(int Phase, int MeterId, string GroupKey), Aggregate>();
        for (var date = days.DateOf(period.Start); withChart && days.Start(date.AddDays(1)) <= now && days.Start(date.AddDays(1)) <= period.End; date = date.AddDays(1))
        {
            foreach (var (key, aggregate) in usage.PeriodDays.GetValueOrDefault(date) ?? [])
            {
                running[key] = running.TryGetValue(key, out var before) ? before.Merge(aggregate) : aggregate;
            }

            actual.Add(new CostPoint(days.Start(date.AddDays(1)), plan.Cost(charges, (slots, group) =>
                slots.Meter is not null && running.TryGetValue((slots.Phase, slots.Meter.Id, group.GroupKey), out var aggregate)
                    ? aggregate.Quantity(slots.Aggregation)
                    : null).Total));
        }

        actual.Add(new CostPoint(now, soFar));

        var projected = new List<ProjectedCostPoint> { new(now, soFar, soFar, soFar) };
        var remainingDates = days.Remaining(now, period.End);
        foreach (var day in withChart ? remainingDates : [])
        {
            var (expected, low, high) = Band(
                plan.Cost(charges, (_, group) => group.ProjectedAt(day.Date, d => d.Expected)).Total,
                plan.Cost(charges, (_, group) => group.ProjectedAt(day.Date, d => d.Low)).Total,
                plan.Cost(charges, (_, group) => group.ProjectedAt(day.Date, d => d.High)).Total);
            projected.Add(new ProjectedCostPoint(day.Date == remainingDates[^1].Date ? period.End : days.Start(day.Date.AddDays(1)), expected, low, high));
        }

        var end = remainingDates.Count > 0 ? remainingDates[^1].Date : today;
        var final = plan.Cost(charges, (_, group) => group.ProjectedAt(end, d => d.Expected));
        var (total, lowTotal, highTotal) = Band(
            final.Total,
            plan.Cost(charges, (_, group) => group.ProjectedAt(end, d => d.Low)).Total,
            plan.Cost(charges, (_, group) => group.ProjectedAt(end, d => d.High)).Total);

        var planName = SubscriptionSchedule.PhaseAt(subscription, now)?.PlanVersion?.Name ?? phases.LastOrDefault()?.Version.Name ?? "";
        var band = new CostBand(total, lowTotal, highTotal);
        var invoice = withChart ? await PreviewAsync(subscription, period, currency, now, rated.Lines, meters, band, cancellationToken) : null;
        return new CurrentCost(subscription, planName, period, currency, zone, now, Lines(plan, charges, final, end), soFar,
            band, actual, projected, invoice, withChart ? DailyByMeter(plan, usage, days.DateOf(period.Start), today, meters) : null);
    }

    /// <summary>
    /// The invoice if the period ended now: the period's lines so far and the late usage closing it would add, less the
    /// credits finalization would take, plus tax, through the totals finalization uses (<see cref="InvoiceRunner.Total"/>);
    /// and the same at the period's end for the projected usage and fees and their band.
    /// </summary>
    private async Task<InvoicePreview> PreviewAsync(Subscription subscription, BillingPeriod period, Currency currency, DateTime now,
        IReadOnlyList<RatedLine> lines, LoadedMeters meters, CostBand projection, CancellationToken cancellationToken)
    {
        var taxRate = await db.Customers.AsNoTracking().Where(c => c.Id == subscription.CustomerId).Select(c => c.TaxRate).SingleAsync(cancellationToken);
        var lateLines = await invoices.LateUsageLinesAsync(subscription, period, currency, meters, cancellationToken);
        var late = lateLines.Select(PhaseFees.ToInput).ToList();
        var cap = await invoices.CapOfAsync(subscription.CustomerId, cancellationToken);
        var grants = await invoices.GrantsAsync(subscription.CustomerId, currency, cancellationToken);
        List<RatedLine> billed = [.. lines, .. lateLines];
        var capped = SpendCap.Adjustment(currency, billed, cap, period.Start, period.End);
        var soFar = InvoiceRunner.Total(currency, [.. billed.Select(PhaseFees.ToInput), .. capped is null ? [] : new[] { PhaseFees.ToInput(capped) }], grants, taxRate, now);
        var lateAmount = soFar.Lines.Skip(lines.Count).Take(late.Count).Sum(l => l.AmountMinorUnits);
        var capAmount = capped is null ? 0 : soFar.Lines[^1].AmountMinorUnits;

        // The projected usage and fees are already a sum of rounded lines: as one line, rounding leaves them as they are.
        long AtEnd(long usageAndFees)
        {
            List<RatedLine> projected = [new RatedLine(LineKinds.Charge, "Projected usage and fees", null, "", 1m, currency.FromMinorUnits(usageAndFees), null, null, period.Start, period.End), .. lateLines];
            var adjustment = SpendCap.Adjustment(currency, projected, cap, period.Start, period.End);
            return InvoiceRunner.Total(currency, [.. projected.Select(PhaseFees.ToInput), .. adjustment is null ? [] : new[] { PhaseFees.ToInput(adjustment) }], grants, taxRate, period.End).Total;
        }

        return new InvoicePreview(soFar.Subtotal - lateAmount - capAmount, lateAmount, capAmount, soFar.CreditsApplied, taxRate, soFar.Tax, soFar.Total,
            new CostBand(AtEnd(projection.Total), AtEnd(projection.Low), AtEnd(projection.High)));
    }

    /// <summary>
    /// The spend budgets and the cap are measured by, or null when no subscription runs at <paramref name="now"/>: the
    /// period's usage and fees so far plus the late usage its invoice would carry, before the cap, credits and tax; and the
    /// same projected for the period's end.
    /// </summary>
    public async Task<PeriodSpend?> SpendAsync(int customerId, DateTime now, CancellationToken cancellationToken = default)
    {
        var subscription = await SubscriptionAtAsync(customerId, now, cancellationToken);
        if (subscription is null || SubscriptionSchedule.CurrentPeriod(subscription, now) is not { } period)
        {
            return null;
        }

        var meters = await LoadedMeters.LoadAsync(db, cancellationToken);
        var cost = await CurrentTotalsAsync(subscription, period, now, meters, cancellationToken);
        var late = await invoices.LateUsageLinesAsync(subscription, period, cost.Currency, meters, cancellationToken);
        var lateAmount = late.Sum(line => cost.Currency.RoundToMinorUnits(line.ExactAmount));
        return new PeriodSpend(period, cost.Currency, cost.SoFar + lateAmount, cost.Projection.Total + lateAmount);
    }

    /// <summary>
    /// What [<paramref name="from"/>, <paramref name="to"/>) costs through the plan phases in force over it, or null when no
    /// subscription of the customer overlaps it. A range that is exactly one billing period of a subscription is rated as
    /// its invoice is (flat fee and commitment true-up included); any other range counts its usage charges only, each
    /// phase's charges priced on the usage inside the range.
    /// </summary>
    public async Task<RangeCost?> RangeAsync(int customerId, DateTime from, DateTime to, CancellationToken cancellationToken = default) =>
        await RangeAsync(customerId, from, to, await LoadedMeters.LoadAsync(db, cancellationToken), cancellationToken);

    /// <inheritdoc cref="RangeAsync(int, DateTime, DateTime, CancellationToken)"/>
    public async Task<RangeCost?> RangeAsync(int customerId, DateTime from, DateTime to, LoadedMeters meters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var subscriptions = await db.Subscriptions.AsNoTracking()
            .Include(s => s.Phases).ThenInclude(p => p.PlanVersion)
            .AsSplitQuery()
            .Where(s => s.CustomerId == customerId && s.StartsAt < to && (s.EndsAt == null || s.EndsAt > from))
            .OrderBy(s => s.StartsAt)
            .ToListAsync(cancellationToken);
        if (subscriptions.Count == 0)
        {
            return null;
        }

        var lines = new List<RatedLine>();
        Currency? currency = null;
        foreach (var subscription in subscriptions)
        {
            if (SubscriptionSchedule.Calendar(subscription).PeriodAt(from) is { } period && period.Start == from && period.End == to)
            {
                var rated = await rater.RateAsync(subscription, period, meters, cancellationToken: cancellationToken);
                currency ??= rated.Currency;
                lines.AddRange(rated.Lines);
                continue;
            }

            var start = subscription.StartsAt > from ? subscription.StartsAt : from;
            var end = subscription.EndsAt is { } ends && ends < to ? ends : to;
            foreach (var phase in PeriodRater.PhasesIn(subscription, start, end))
            {
                currency ??= Currency.FromCode(phase.Version.Currency);
                lines.AddRange(await rater.RateChargesAsync(customerId, phase, phase.From, phase.To, meters, "", cancellationToken));
            }
        }

        currency ??= Currency.FromCode(subscriptions[0].Phases.Select(p => p.PlanVersion?.Currency).FirstOrDefault(c => c is not null) ?? "USD");
        return new RangeCost(currency, lines, PhaseFees.Subtotal(currency, lines, to));
    }

    /// <summary>Orders three totals as a band: a non-monotone model can price the low edge above the expectation.</summary>
    private static (long Expected, long Low, long High) Band(long expected, long low, long high) =>
        (expected, Math.Min(expected, Math.Min(low, high)), Math.Max(expected, Math.Max(low, high)));

    /// <summary>
    /// What each non-additive charged meter (max, latest, unique_count) with no usage yet this period reached in the
    /// previous billing period, per meter and group (PRODUCT.md "Projection": such a meter is projected from its history,
    /// never silently as zero). Empty, with no read, when every such meter has usage already or there is no previous period.
    /// </summary>
    private async Task<Dictionary<(int MeterId, string GroupKey), decimal>> PreviousLevelsAsync(Subscription subscription, BillingPeriod period,
        IReadOnlyList<PhaseTerms> phases, LoadedMeters meters, RatedPeriod rated, CancellationToken cancellationToken)
    {
        var levels = new Dictionary<(int MeterId, string GroupKey), decimal>();
        var idle = phases.SelectMany(p => p.Charges.Select(c => (Phase: p, c.Meter)))
            .Select(x => (x.Meter, Loaded: meters.All.FirstOrDefault(m => m.Code == x.Meter), x.Phase))
            .Where(x => x.Loaded is not null && x.Loaded.At(x.Phase.From).Meter.Aggregation is not (MeterAggregation.Count or MeterAggregation.Sum))
            .Where(x => !rated.Lines.Any(l => l.Kind == LineKinds.Charge && l.MeterCode == x.Meter && l.Quantity != 0m))
            .Select(x => x.Loaded!)
            .DistinctBy(m => m.Id)
            .ToList();
        if (idle.Count == 0 || SubscriptionSchedule.Calendar(subscription).PeriodAt(period.Start.AddTicks(-1)) is not { } before)
        {
            return levels;
        }

        var from = before.Start > subscription.StartsAt ? before.Start : subscription.StartsAt;
        if (from >= before.End)
        {
            return levels;
        }

        var report = await usageQuery.GetAsync(subscription.CustomerId, from, before.End, meters, cancellationToken);
        foreach (var meter in idle)
        {
            if (report.Meters.FirstOrDefault(m => m.Code == meter.Code) is not { } used)
            {
                continue;
            }

            levels[(meter.Id, GroupKey.None)] = used.Quantity;
            foreach (var group in used.Groups)
            {
                levels[(meter.Id, group.GroupKey)] = group.Quantity;
            }
        }

        return levels;
    }

    private async Task<ChargeSlots> SlotsAsync(int customerId, int phaseIndex, PhaseTerms phase, PlanCharge charge, LoadedMeters meters, RatedPeriod rated,
        DailyUsage usage, Dictionary<(int MeterId, string GroupKey), decimal> previous, IReadOnlyList<RemainingDay> remaining, DateTime now, string stretch, CancellationToken cancellationToken)
    {
        var meter = meters.All.FirstOrDefault(m => m.Code == charge.Meter);
        var definition = meter?.At(phase.From).Meter;
        var aggregation = definition?.Aggregation ?? MeterAggregation.Count;
        var grouped = definition is { GroupBy.Count: > 0 };
        var slots = new ChargeSlots(phaseIndex, charge, meter, aggregation, grouped, meter?.Name ?? charge.Meter, stretch);
        var soFar = rated.Lines.Where(l => l.Kind == LineKinds.Charge && l.MeterCode == charge.Meter && l.UsageFrom == phase.From && l.PlanVersionId == phase.Version.Id).ToList();
        var additive = aggregation is MeterAggregation.Count or MeterAggregation.Sum;
        var history = meter is null ? [] : usage.HistoryOf(meter.Id);
        // A non-additive meter without usage so far in this period (no line, or one at 0 units) stays at last period's level.
        UsageProjection Project(string groupKey, RatedLine? line) =>
            !additive && meter is not null && (line?.Quantity ?? 0m) == 0m && previous.TryGetValue((meter.Id, groupKey), out var level) && level > 0m
                ? UsageProjector.ProjectLevel(level, remaining)
                : UsageProjector.ProjectRemaining(history.GetValueOrDefault(groupKey) ?? usage.EmptyHistory, remaining, additive);
        if (!grouped)
        {
            var line = soFar.FirstOrDefault(l => l.GroupKey.Length == 0);
            slots.Groups.Add(new GroupSlot(GroupKey.None, line, Project(GroupKey.None, line)));
        }
        else
        {
            slots.Placeholder = soFar.FirstOrDefault(l => l.GroupKey.Length == 0);
            var lastPeriod = meter is null ? [] : previous.Keys.Where(k => k.MeterId == meter.Id && k.GroupKey.Length > 0).Select(k => k.GroupKey);
            foreach (var groupKey in soFar.Select(l => l.GroupKey).Where(k => k.Length > 0).Union(history.Keys.Where(k => k.Length > 0)).Union(lastPeriod).Order(StringComparer.Ordinal))
            {
                var line = soFar.FirstOrDefault(l => l.GroupKey == groupKey);
                var projection = Project(groupKey, line);
                if (line is not null || projection.Expected > 0m)
                {
                    slots.Groups.Add(new GroupSlot(groupKey, line, projection));
                }
            }
        }

        if (charge.PricesEvents && meter is not null)
        {
            var until = now < phase.To ? now : phase.To;
            slots.Values = until > phase.From ? await rater.EventValuesAsync(customerId, meter, phase.From, until, cancellationToken) : [];
        }

        return slots;
    }

    /// <summary>
    /// One query for the customer's rollups over the history window and the period's complete days (and, for
    /// unique_count meters, one for the day each distinct value was first seen), summed into local days. Without the
    /// chart, in a zone whose days are UTC days, the daily rollups are the history's days (one row a day instead of 24).
    /// </summary>
    private async Task<DailyUsage> ReadDailyUsageAsync(int customerId, PlanShape plan, LocalDays days, BillingPeriod period, DateTime historyStart, DateTime todayStart, bool withChart, CancellationToken cancellationToken)
    {
        var meterIds = plan.MeterIds;
        var readFrom = historyStart < period.Start ? historyStart : period.Start;
        var usage = new DailyUsage(days, plan, period, todayStart);
        if (meterIds.Count == 0 || todayStart <= readFrom)
        {
            return usage;
        }

        var charged = meterIds.ToHashSet();
        if (!withChart && historyStart < todayStart && await DaysAreUtcDaysAsync(days, historyStart, todayStart, cancellationToken))
        {
            // The period's days only feed the chart: the history is all that is read.
            var daily = await db.UsageDailyRollups.AsNoTracking()
                .Where(r => r.CustomerId == customerId && r.BucketStart >= historyStart && r.BucketStart < todayStart)
                .ToListAsync(cancellationToken);
            foreach (var row in daily.Where(r => charged.Contains(r.MeterId)))
            {
                usage.Add(row.MeterId, row.GroupKey, row.BucketStart, RollupAggregates.From(row), inHistory: true, inPeriod: false);
            }

            usage.CloseHistory(days.DateOf(historyStart), days.DateOf(todayStart));
            return usage;
        }

        // Where local days are UTC days the daily tier holds whole, a day is one daily row instead of 24 hourly ones; only a
        // day that the period or a phase starts or ends inside is read by the hour (its hours fall on both sides).
        var dailyFrom = days.Start(days.DateOf(readFrom));
        var byTheHour = await DaysAreUtcDaysAsync(days, dailyFrom, todayStart, cancellationToken)
            ? SplitDays(days, readFrom, todayStart, [period.Start, period.End, .. plan.Phases.SelectMany(p => new[] { p.From, p.To })])
            : [(readFrom, todayStart)];
        var hourDays = byTheHour.Select(range => range.From).ToHashSet();
        var rows = new List<RollupRow>();
        if (!byTheHour.Any(range => range.From <= readFrom && range.To >= todayStart))
        {
            rows.AddRange((await db.UsageDailyRollups.AsNoTracking()
                .Where(r => r.CustomerId == customerId && r.BucketStart >= dailyFrom && r.BucketStart < todayStart)
                .ToListAsync(cancellationToken)).Where(r => r.BucketStart >= readFrom && !hourDays.Contains(r.BucketStart)));
        }

        foreach (var (from, to) in byTheHour)
        {
            rows.AddRange(await db.UsageRollups.AsNoTracking()
                .Where(r => r.CustomerId == customerId && r.BucketStart >= from && r.BucketStart < to)
                .Select(r => new UsageRollup { MeterId = r.MeterId, GroupKey = r.GroupKey, BucketStart = r.BucketStart, Count = r.Count, Sum = r.Sum, Max = r.Max, LatestValue = r.LatestValue, LatestTime = r.LatestTime, LatestSequence = r.LatestSequence })
                .ToListAsync(cancellationToken));
        }

        foreach (var row in rows.Where(r => charged.Contains(r.MeterId)))
        {
            usage.Add(row.MeterId, row.GroupKey, row.BucketStart, RollupAggregates.From(row), row.BucketStart >= historyStart);
        }

        // unique_count counts a value once however often it recurs: what the chart's past days need is the day each
        // value was first seen (per phase), which the database reduces to one row per distinct value (per tier read).
        var uniqueIds = withChart ? plan.UniqueCountMeterIds : [];
        for (var phase = 0; uniqueIds.Count > 0 && phase < plan.Phases.Count; phase++)
        {
            var from = plan.Phases[phase].From > period.Start ? plan.Phases[phase].From : period.Start;
            var to = plan.Phases[phase].To < todayStart ? plan.Phases[phase].To : todayStart;
            if (to <= from)
            {
                continue;
            }

            var firstSeen = new Dictionary<(int MeterId, string GroupKey, string Value), DateTime>();
            void Keep(int meterId, string groupKey, string value, DateTime first)
            {
                if (!firstSeen.TryGetValue((meterId, groupKey, value), out var seen) || first < seen)
                {
                    firstSeen[(meterId, groupKey, value)] = first;
                }
            }

            if (!byTheHour.Any(range => range.From <= from && range.To >= to))
            {
                // The days read by the hour are left out here: their hours outside [from, to) must not count.
                var hourDayStarts = hourDays.ToList();
                var daily = await FirstSeenAsync(db.UsageDailyDistinctValues.Where(d => !hourDayStarts.Contains(d.BucketStart)), customerId, uniqueIds, from, to, cancellationToken);
                foreach (var value in daily)
                {
                    Keep(value.MeterId, value.GroupKey, value.Value, value.First);
                }
            }

            foreach (var range in byTheHour)
            {
                var (hoursFrom, hoursTo) = (range.From > from ? range.From : from, range.To < to ? range.To : to);
                if (hoursTo <= hoursFrom)
                {
                    continue;
                }

                var hourly = await FirstSeenAsync(db.UsageDistinctValues, customerId, uniqueIds, hoursFrom, hoursTo, cancellationToken);
                foreach (var value in hourly)
                {
                    Keep(value.MeterId, value.GroupKey, value.Value, value.First);
                }
            }

            foreach (var ((meterId, groupKey, value), first) in firstSeen)
            {
                usage.AddToPeriod(phase, meterId, groupKey, first, new Aggregate(0, 0m, null, null, DistinctValues.Empty.Add(value)));
            }
        }

        usage.CloseHistory(days.DateOf(historyStart), days.DateOf(todayStart));
        return usage;
    }

    /// <summary>Whether every local day of [<paramref name="from"/>, <paramref name="to"/>) is a UTC day the daily tier holds completely.</summary>
    private async Task<bool> DaysAreUtcDaysAsync(LocalDays days, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        for (var date = days.DateOf(from); days.Start(date) <= to; date = date.AddDays(1))
        {
            if (days.Start(date).Ticks % TimeSpan.TicksPerDay != 0)
            {
                return false;
            }
        }

        return from >= await tierState.CompleteFromAsync(db, cancellationToken);
    }

    /// <summary>The first bucket in [<paramref name="from"/>, <paramref name="to"/>) of each distinct value of a tier: the database reduces them to one row a value.</summary>
    private static Task<List<FirstSeen>> FirstSeenAsync<TRow>(IQueryable<TRow> tier, int customerId, IReadOnlyCollection<int> meterIds, DateTime from, DateTime to, CancellationToken cancellationToken)
        where TRow : DistinctValueRow =>
        tier.AsNoTracking()
            .Where(d => d.CustomerId == customerId && meterIds.Contains(d.MeterId) && d.BucketStart >= from && d.BucketStart < to)
            .GroupBy(d => new { d.MeterId, d.GroupKey, d.Value })
            .Select(g => new FirstSeen(g.Key.MeterId, g.Key.GroupKey, g.Key.Value, g.Min(d => d.BucketStart)))
            .ToListAsync(cancellationToken);

    private sealed record FirstSeen(int MeterId, string GroupKey, string Value, DateTime First);

    /// <summary>
    /// The local days of [<paramref name="from"/>, <paramref name="to"/>) that one of <paramref name="instants"/> falls
    /// inside (not at their start), cut to the range, in order: the days to read by the hour. The range's own start is one.
    /// </summary>
    private static List<(DateTime From, DateTime To)> SplitDays(LocalDays days, DateTime from, DateTime to, IEnumerable<DateTime> instants)
    {
        var split = new SortedSet<DateTime>();
        foreach (var instant in instants.Append(from))
        {
            var dayStart = days.Start(days.DateOf(instant));
            if (instant != dayStart && instant >= from && instant < to)
            {
                split.Add(dayStart);
            }
        }

        return [.. split.Select(dayStart => (dayStart < from ? from : dayStart, days.Start(days.DateOf(dayStart).AddDays(1)) is var next && next < to ? next : to))];
    }

    private static List<CostLine> Lines(PlanShape plan, List<ChargeSlots> charges, PlanCost final, DateOnly end)
    {
        var currency = plan.Currency;
        var lines = new List<CostLine>();
        foreach (var priced in final.Lines)
        {
            var (slots, group, quantity, price) = priced;
            var soFar = group is null ? slots.Placeholder : group.SoFar;
            var through = group?.Projection.Through(end);
            lines.Add(new CostLine(
                LineKinds.Charge,
                soFar?.Description ?? slots.Describe(group?.GroupKey ?? GroupKey.None),
                slots.Charge.Meter,
                group?.GroupKey ?? GroupKey.None,
                soFar?.Quantity ?? 0m,
                soFar is null ? 0 : currency.RoundToMinorUnits(soFar.ExactAmount),
                soFar?.Price,
                quantity,
                group is null ? quantity : (group.SoFar?.Quantity ?? 0m) + through!.Low,
                group is null ? quantity : (group.SoFar?.Quantity ?? 0m) + through!.High,
                currency.RoundToMinorUnits(price.Amount),
                price,
                group?.Projection.Basis));
        }

        // Charge lines so far that the projection does not price (a group placeholder replaced by real groups).
        foreach (var slots in charges.Where(s => s.Placeholder is not null && !final.Lines.Any(l => l.Slots == s && l.Group is null)))
        {
            var line = slots.Placeholder!;
            lines.Add(new CostLine(LineKinds.Charge, line.Description, line.MeterCode, line.GroupKey, line.Quantity, currency.RoundToMinorUnits(line.ExactAmount), line.Price,
                0m, 0m, 0m, 0, null, null));
        }

        foreach (var fee in plan.Rated.Lines.Where(l => l.Kind == LineKinds.FlatFee))
        {
            var amount = currency.RoundToMinorUnits(fee.ExactAmount);
            lines.Add(new CostLine(fee.Kind, fee.Description, null, "", fee.Quantity, amount, null, fee.Quantity, fee.Quantity, fee.Quantity, amount, null, null));
        }

        for (var phase = 0; phase < plan.Phases.Count; phase++)
        {
            var version = plan.Phases[phase].Version;
            var soFar = plan.Rated.Lines.FirstOrDefault(l => l.Kind == LineKinds.MinimumCommitment && l.UsageFrom == plan.Phases[phase].From && l.PlanVersionId == version.Id);
            var projected = final.TrueUps[phase];
            if (soFar is not null || projected > 0)
            {
                lines.Add(new CostLine(LineKinds.MinimumCommitment, soFar?.Description ?? $"Minimum commitment, {version.Name}", null, "", 1m,
                    soFar is null ? 0 : currency.RoundToMinorUnits(soFar.ExactAmount), null, 1m, 1m, 1m, projected, null, null));
            }
        }

        return lines;
    }

    /// <summary>The period's terms: per phase, its share of the period (for the flat fee and the commitment) and its stretch.</summary>
    private sealed class PlanShape
    {
        private readonly (decimal Billed, decimal Whole, string Stretch)[] shares;
        private readonly Dictionary<int, MeterAggregation> aggregations;
        private readonly DateTime now;

        public PlanShape(Subscription subscription, BillingPeriod period, Currency currency, IReadOnlyList<PhaseTerms> phases, RatedPeriod rated, LoadedMeters meters, DateTime now)
        {
            Currency = currency;
            Phases = phases;
            Rated = rated;
            this.now = now;
            var codes = phases.SelectMany(p => p.Charges).Select(c => c.Meter).ToHashSet(StringComparer.Ordinal);
            aggregations = meters.All.Where(m => codes.Contains(m.Code)).ToDictionary(m => m.Id, m => m.At(now).Meter.Aggregation);
            MeterIds = [.. aggregations.Keys];
            UniqueCountMeterIds = [.. aggregations.Where(a => a.Value == MeterAggregation.UniqueCount).Select(a => a.Key)];
            var calendar = SubscriptionSchedule.Calendar(subscription);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(subscription.TimeZone);
            shares = [.. phases.Select(p =>
            {
                var (billed, whole) = calendar.Share(period, p.From, p.To);
                return (billed, whole, PeriodRater.Stretch(zone, p.From, p.To));
            })];
        }

        public Currency Currency { get; }

        public IReadOnlyList<PhaseTerms> Phases { get; }

        public RatedPeriod Rated { get; }

        /// <summary>The meters the plan charges for.</summary>
        public IReadOnlyList<int> MeterIds { get; }

        public IReadOnlyList<int> UniqueCountMeterIds { get; }

        /// <summary>How a charged meter aggregates now: what its daily quantities mean.</summary>
        public MeterAggregation AggregationOf(int meterId) => aggregations.GetValueOrDefault(meterId);

        /// <summary>
        /// The period's total for the quantities <paramref name="quantityOf"/> gives each line (null: the line does not
        /// exist then, as a group without usage has no invoice line): the charge lines priced through the plan, each phase's
        /// flat fee and commitment true-up from <see cref="PhaseFees"/>, totalled by <see cref="InvoiceCalculator"/>, exactly as
        /// the invoice will be.
        /// </summary>
        public PlanCost Cost(IReadOnlyList<ChargeSlots> charges, Func<ChargeSlots, GroupSlot, decimal?> quantityOf)
        {
            var priced = new List<PricedLine>();
            var lines = new List<RatedLine>();
            var trueUps = new long[Phases.Count];
            for (var phase = 0; phase < Phases.Count; phase++)
            {
                var exact = new List<decimal>();
                foreach (var slots in charges.Where(c => c.Phase == phase))
                {
                    var any = false;
                    foreach (var group in slots.Groups)
                    {
                        if ((quantityOf(slots, group) ?? (slots.Grouped ? null : 0m)) is { } quantity)
                        {
                            var price = slots.Price(group.GroupKey, quantity);
                            priced.Add(new PricedLine(slots, group, quantity, price));
                            exact.Add(price.Amount);
                            any = true;
                        }
                    }

                    if (!any)
                    {
                        // A grouped meter without any group yet: the invoice has one line for the charge at 0 units.
                        var price = slots.Price(GroupKey.None, 0m);
                        priced.Add(new PricedLine(slots, null, 0m, price));
                        exact.Add(price.Amount);
                    }
                }

                var terms = Phases[phase];
                lines.AddRange(exact.Select(amount => new RatedLine(LineKinds.Charge, "", null, "", 0m, amount, null, terms.Version.Id, terms.From, terms.To)));
                var (billed, whole, stretch) = shares[phase];
                var fees = PhaseFees.For(Currency, terms, billed, whole, exact, stretch);
                lines.AddRange(fees);
                trueUps[phase] = fees.Where(f => f.Kind == LineKinds.MinimumCommitment).Sum(f => Currency.RoundToMinorUnits(f.ExactAmount));
            }

            return new PlanCost(PhaseFees.Subtotal(Currency, lines, now), priced, trueUps);
        }
    }

    private sealed record PricedLine(ChargeSlots Slots, GroupSlot? Group, decimal Quantity, PriceResult Price);

    private sealed record PlanCost(long Total, IReadOnlyList<PricedLine> Lines, IReadOnlyList<long> TrueUps);

    /// <summary>One charge of one phase, and the lines (groups) it prices.</summary>
    private sealed class ChargeSlots(int phase, PlanCharge charge, LoadedMeter? meter, MeterAggregation aggregation, bool grouped, string name, string stretch)
    {
        public int Phase { get; } = phase;

        public PlanCharge Charge { get; } = charge;

        public LoadedMeter? Meter { get; } = meter;

        public MeterAggregation Aggregation { get; } = aggregation;

        public bool Grouped { get; } = grouped;

        public List<GroupSlot> Groups { get; } = [];

        /// <summary>The line so far of a grouped charge that has no group yet.</summary>
        public RatedLine? Placeholder { get; set; }

        /// <summary>The observed events' values by group, for percentage charges that price event by event.</summary>
        public Dictionary<string, List<decimal>>? Values { get; set; }

        /// <summary>Prices a quantity of one group as the rater does; per-event charges get events fitted to the quantity.</summary>
        public PriceResult Price(string groupKey, decimal quantity)
        {
            IReadOnlyList<decimal>? values = null;
            if (Values is not null)
            {
                IReadOnlyList<decimal> observed = Grouped ? Values.GetValueOrDefault(groupKey) ?? [] : [.. Values.Values.SelectMany(v => v)];
                values = ProjectedEvents.Fit(EventCorrections.Net(observed), quantity);
            }

            return PeriodRater.Price(Charge, quantity, values);
        }

        /// <summary>A line's description as the rater writes it, for a group that has no line so far.</summary>
        public string Describe(string groupKey)
        {
            var text = name;
            if (groupKey.Length > 0)
            {
                text += " (" + string.Join(", ", GroupKey.Parse(groupKey).Select(g => $"{g.Key}: {g.Value ?? "none"}")) + ")";
            }

            return stretch.Length == 0 ? text : $"{text} {stretch}";
        }
    }

    /// <summary>One line of a charge: its quantity so far and the projection of the rest.</summary>
    private sealed class GroupSlot(string groupKey, RatedLine? soFar, UsageProjection projection)
    {
        public string GroupKey { get; } = groupKey;

        public RatedLine? SoFar { get; } = soFar;

        public UsageProjection Projection { get; } = projection;

        /// <summary>The projected quantity at the end of <paramref name="date"/>, or null while the line would not exist yet.</summary>
        public decimal? ProjectedAt(DateOnly date, Func<ProjectedDay, decimal> edge)
        {
            var through = Projection.Through(date);
            return SoFar is null && through.Expected <= 0m ? null : (SoFar?.Quantity ?? 0m) + edge(through);
        }
    }

    /// <summary>The rollups summed per local day: per meter and group over the history window, and per phase over the period.</summary>
    /// <summary>
    /// Each charged meter's quantity on each complete day of the period so far (from its first day to yesterday), its
    /// groups and phases merged as the meter aggregates; a unique count's day holds the values first seen that day.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<DailyQuantity>> DailyByMeter(PlanShape plan, DailyUsage usage, DateOnly first, DateOnly today, LoadedMeters meters)
    {
        var result = new Dictionary<string, IReadOnlyList<DailyQuantity>>(StringComparer.Ordinal);
        foreach (var meterId in plan.MeterIds)
        {
            if (meters.All.FirstOrDefault(m => m.Id == meterId) is not { } meter)
            {
                continue;
            }

            var aggregation = plan.AggregationOf(meterId);
            var daily = new List<DailyQuantity>();
            for (var date = first; date < today; date = date.AddDays(1))
            {
                Aggregate? merged = null;
                foreach (var (key, aggregate) in usage.PeriodDays.GetValueOrDefault(date) ?? [])
                {
                    if (key.MeterId == meterId)
                    {
                        merged = merged is { } before ? before.Merge(aggregate) : aggregate;
                    }
                }

                daily.Add(new DailyQuantity(date, merged?.Quantity(aggregation) ?? 0m));
            }

            result[meter.Code] = daily;
        }

        return result;
    }

    private sealed class DailyUsage(LocalDays days, PlanShape plan, BillingPeriod period, DateTime todayStart)
    {
        private readonly Dictionary<int, Dictionary<string, Dictionary<DateOnly, Aggregate>>> history = [];
        private readonly Dictionary<int, Dictionary<string, IReadOnlyList<DailyQuantity>>> closed = [];

        public IReadOnlyList<DailyQuantity> EmptyHistory { get; private set; } = [];

        public Dictionary<DateOnly, Dictionary<(int Phase, int MeterId, string GroupKey), Aggregate>> PeriodDays { get; } = [];

        public void Add(int meterId, string groupKey, DateTime bucketStart, Aggregate aggregate, bool inHistory, bool inPeriod = true)
        {
            if (inHistory)
            {
                var date = days.DateOf(bucketStart);
                var groups = history.TryGetValue(meterId, out var g) ? g : history[meterId] = [];
                var byDate = groups.TryGetValue(groupKey, out var d) ? d : groups[groupKey] = [];
                byDate[date] = byDate.TryGetValue(date, out var before) ? before.Merge(aggregate) : aggregate;
            }

            if (inPeriod && bucketStart >= period.Start && bucketStart < todayStart && PhaseOf(bucketStart) is { } phase)
            {
                AddToPeriod(phase, meterId, groupKey, bucketStart, aggregate);
            }
        }

        /// <summary>Adds to the period's day of <paramref name="bucketStart"/>, for the phase given.</summary>
        public void AddToPeriod(int phase, int meterId, string groupKey, DateTime bucketStart, Aggregate aggregate)
        {
            var date = days.DateOf(bucketStart);
            var keys = PeriodDays.TryGetValue(date, out var k) ? k : PeriodDays[date] = [];
            var key = (phase, meterId, groupKey);
            keys[key] = keys.TryGetValue(key, out var before) ? before.Merge(aggregate) : aggregate;
        }

        /// <summary>
        /// Turns the history into daily quantities: every day from the first day with any usage (at most
        /// <see cref="UsageProjector.HistoryDays"/> back) to yesterday, a day without usage counting as 0.
        /// </summary>
        public void CloseHistory(DateOnly windowStart, DateOnly today)
        {
            var dates = history.Values.SelectMany(g => g.Values).SelectMany(d => d.Keys).ToList();
            if (dates.Count == 0)
            {
                return;
            }

            var first = dates.Min();
            first = first < windowStart ? windowStart : first;
            var span = Enumerable.Range(0, today.DayNumber - first.DayNumber).Select(first.AddDays).ToList();
            EmptyHistory = [.. span.Select(d => new DailyQuantity(d, 0m))];
            foreach (var (meterId, groups) in history)
            {
                var aggregation = plan.AggregationOf(meterId);
                closed[meterId] = groups.ToDictionary(
                    g => g.Key,
                    g => (IReadOnlyList<DailyQuantity>)[.. span.Select(d => new DailyQuantity(d, g.Value.TryGetValue(d, out var a) ? a.Quantity(aggregation) : 0m))],
                    StringComparer.Ordinal);
            }
        }

        public Dictionary<string, IReadOnlyList<DailyQuantity>> HistoryOf(int meterId) => closed.GetValueOrDefault(meterId) ?? [];

        private int? PhaseOf(DateTime instant)
        {
            for (var i = 0; i < plan.Phases.Count; i++)
            {
                if (plan.Phases[i].From <= instant && instant < plan.Phases[i].To)
                {
                    return i;
                }
            }

            return null;
        }
    }

    /// <summary>Local days of the billing zone as UTC instants; a midnight skipped by a daylight-saving jump moves to the first valid instant after it.</summary>
    private sealed class LocalDays(TimeZoneInfo zone)
    {
        public DateOnly DateOf(DateTime utc) => LocalCalendar.DateOf(utc, zone);

        public DateTime Start(DateOnly date) => LocalCalendar.StartOfDay(date, zone);

        /// <summary>The local days [<paramref name="from"/>, <paramref name="to"/>) covers, each with the share of its real length inside.</summary>
        public IReadOnlyList<RemainingDay> Remaining(DateTime from, DateTime to)
        {
            var remaining = new List<RemainingDay>();
            for (var date = DateOf(from); Start(date) < to; date = date.AddDays(1))
            {
                var (dayStart, dayEnd) = (Start(date), Start(date.AddDays(1)));
                var covered = (to < dayEnd ? to : dayEnd) - (from > dayStart ? from : dayStart);
                if (covered > TimeSpan.Zero)
                {
                    remaining.Add(new RemainingDay(date, covered == dayEnd - dayStart ? 1m : (decimal)covered.Ticks / (dayEnd - dayStart).Ticks));
                }
            }

            return remaining;
        }
    }
}
