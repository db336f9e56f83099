using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Metering;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>Wire names of invoice line kinds.</summary>
public static class LineKinds
{
    public const string Charge = "charge";
    public const string FlatFee = "flat_fee";
    public const string MinimumCommitment = "minimum_commitment";
    public const string LateUsage = "late_usage";
    public const string CapAdjustment = "cap_adjustment";

    public static InvoiceLineKind ToPricing(string kind) => kind switch
    {
        CapAdjustment => InvoiceLineKind.CapAdjustment,
        FlatFee => InvoiceLineKind.FlatFee,
        MinimumCommitment => InvoiceLineKind.MinimumCommitmentTrueUp,
        LateUsage => InvoiceLineKind.LateUsage,
        _ => InvoiceLineKind.Charge,
    };
}

/// <summary>One exact, unrounded line of a rated period.</summary>
public sealed record RatedLine(
    string Kind,
    string Description,
    string? MeterCode,
    string GroupKey,
    decimal Quantity,
    decimal ExactAmount,
    PriceResult? Price,
    int? PlanVersionId,
    DateTime UsageFrom,
    DateTime UsageTo);

/// <summary>What a subscription costs over one billing period, line by line, before rounding.</summary>
public sealed record RatedPeriod(BillingPeriod Period, Currency Currency, IReadOnlyList<RatedLine> Lines);

/// <summary>The terms in force over one stretch of a period: a phase's plan version with the subscription's overrides.</summary>
public sealed record PhaseTerms(PlanVersion Version, IReadOnlyList<PlanCharge> Charges, DateTime From, DateTime To);

/// <summary>
/// Rates a subscription's period through its plan: for each phase of the period (a plan change splits it), one line
/// per charge (per group for a grouped meter: each group is priced on its own), the flat fee prorated to the phase's
/// share of the period, and the minimum-commitment true-up (also prorated). Amounts are exact; the invoice rounds
/// each line once. The same code rates invoices, the usage API's amounts and the dashboard.
/// </summary>
public sealed class PeriodRater(UsagePortalDbContext db, UsageQuery usage)
{
    // Keyed by the stored text, not the version id: several databases (test hosts, benchmarks) may share a process.
    private static readonly ConcurrentDictionary<string, IReadOnlyList<PlanCharge>> ParsedCharges = new(StringComparer.Ordinal);

    /// <summary>The charges of a stored plan version (versions never change, so each text is parsed once per process).</summary>
    public static IReadOnlyList<PlanCharge> ChargesOf(PlanVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return ParsedCharges.GetOrAdd(version.ChargesJson, PlanTerms.ParseCharges);
    }

    /// <summary>The plan's charges with the subscription's overrides put in place of the charge for the same meter.</summary>
    public static IReadOnlyList<PlanCharge> EffectiveCharges(PlanVersion version, Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var charges = ChargesOf(version);
        if (string.IsNullOrEmpty(subscription.OverridesJson))
        {
            return charges;
        }

        var overrides = PlanTerms.ParseCharges(subscription.OverridesJson).ToDictionary(c => c.Meter, StringComparer.Ordinal);
        return [.. charges.Select(c => overrides.GetValueOrDefault(c.Meter, c))];
    }

    /// <summary>The phases of <paramref name="subscription"/> that overlap [from, to), clipped to it.</summary>
    public static IReadOnlyList<PhaseTerms> PhasesIn(Subscription subscription, DateTime from, DateTime to)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return [.. subscription.Phases
            .OrderBy(p => p.StartsAt)
            .Where(p => p.StartsAt < to && (p.EndsAt is null || p.EndsAt > from))
            .Select(p => new PhaseTerms(
                p.PlanVersion ?? throw new InvalidOperationException("Load subscription phases with their plan versions."),
                EffectiveCharges(p.PlanVersion, subscription),
                p.StartsAt > from ? p.StartsAt : from,
                p.EndsAt is { } end && end < to ? end : to))];
    }

    /// <summary>
    /// Rates <paramref name="period"/> of <paramref name="subscription"/> (phases loaded with plan versions). Usage is read up
    /// to <paramref name="usageUntil"/> when given (the current period: cost so far), else over the whole period.
    /// </summary>
    public async Task<RatedPeriod> RateAsync(Subscription subscription, BillingPeriod period, LoadedMeters meters, DateTime? usageUntil = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(meters);
        var calendar = SubscriptionSchedule.Calendar(subscription);
        var phases = PhasesIn(subscription, period.Start, period.End);
        // A stretch with no phase (late usage after the end) bills in the currency of the last plan.
        var currency = Currency.FromCode(phases.Count > 0 ? phases[0].Version.Currency
            : subscription.Phases.OrderBy(p => p.StartsAt).LastOrDefault()?.PlanVersion?.Currency ?? "USD");
        var lines = new List<RatedLine>();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(subscription.TimeZone);
        foreach (var phase in phases)
        {
            var split = phases.Count > 1;
            var readTo = usageUntil is { } until && until < phase.To ? until : phase.To;
            var chargeLines = await RateChargesAsync(subscription.CustomerId, phase, phase.From, readTo, meters, split ? Stretch(zone, phase.From, phase.To) : "", cancellationToken);
            lines.AddRange(chargeLines);
            var (billed, whole) = calendar.Share(period, phase.From, phase.To);
            lines.AddRange(PhaseFees.For(currency, phase, billed, whole, chargeLines.Select(l => l.ExactAmount), Stretch(zone, phase.From, phase.To)));
        }

        return new RatedPeriod(period, currency, lines);
    }

    /// <summary>One line per charge (per group of a grouped meter) for usage over [from, to), on the phase's terms.</summary>
    public async Task<IReadOnlyList<RatedLine>> RateChargesAsync(int customerId, PhaseTerms phase, DateTime from, DateTime to, LoadedMeters meters, string stretch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(meters);
        var report = to > from ? await usage.GetAsync(customerId, from, to, meters, cancellationToken) : new UsageReport(from, to, []);
        var lines = new List<RatedLine>();
        foreach (var charge in phase.Charges)
        {
            var loaded = meters.All.FirstOrDefault(m => m.Code == charge.Meter);
            var meterUsage = report.Meters.FirstOrDefault(m => m.Code == charge.Meter);
            var name = loaded?.Name ?? charge.Meter;
            var grouped = loaded is not null && loaded.At(from).Meter.GroupBy.Count > 0;
            var eventValues = charge.PricesEvents && loaded is not null && to > from
                ? await EventValuesAsync(customerId, loaded, from, to, cancellationToken)
                : null;
            var groups = grouped && meterUsage is not null ? meterUsage.Groups : [];
            if (groups.Count == 0)
            {
                // The line shows the quantity it prices: corrections never take it below 0.
                var quantity = EventCorrections.PricedQuantity(meterUsage?.Quantity ?? 0m);
                var price = Price(charge, quantity, eventValues?.Values.SelectMany(v => v).ToList());
                lines.Add(new RatedLine(LineKinds.Charge, Describe(name, null, stretch), charge.Meter, "", quantity, price.Amount, price, phase.Version.Id, from, to));
                continue;
            }

            foreach (var group in groups)
            {
                var quantity = EventCorrections.PricedQuantity(group.Quantity);
                var price = Price(charge, quantity, eventValues?.GetValueOrDefault(group.GroupKey) ?? (eventValues is null ? null : []));
                lines.Add(new RatedLine(LineKinds.Charge, Describe(name, group.Key, stretch), charge.Meter, group.GroupKey, quantity, price.Amount, price, phase.Version.Id, from, to));
            }
        }

        return lines;
    }

    /// <summary>
    /// Prices a quantity (or, for percentage models, the events' values) through a charge. Negative values of a summed
    /// meter are corrections: the priced quantity never goes below 0, and per-event models see them netted.
    /// </summary>
    public static PriceResult Price(PlanCharge charge, decimal quantity, IReadOnlyList<decimal>? eventValues)
    {
        ArgumentNullException.ThrowIfNull(charge);
        return eventValues is not null
            ? charge.Price(Usage.OfEvents(EventCorrections.Net(eventValues)))
            : charge.Price(EventCorrections.PricedQuantity(quantity));
    }

    /// <summary>The value each counted event of a meter carries over [from, to), by group: what percentage models price.</summary>
    public async Task<Dictionary<string, List<decimal>>> EventValuesAsync(int customerId, LoadedMeter meter, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var types = meter.Versions.Select(v => v.Evaluator.Meter.EventType).Distinct().ToList();
        var events = await db.UsageEvents.AsNoTracking()
            .Where(e => e.CustomerId == customerId && e.Time >= from && e.Time < to && types.Contains(e.Type))
            .OrderBy(e => e.Id)
            .Select(e => new { e.EventId, e.Source, e.Type, e.Time, e.ReceivedAt, e.Data })
            .ToListAsync(cancellationToken);
        var values = new Dictionary<string, List<decimal>>(StringComparer.Ordinal);
        foreach (var stored in events)
        {
            var incoming = StoredEvents.Incoming(customerId, stored.EventId, stored.Source, stored.Type, stored.Time, stored.Data);
            if (meter.TryCount(incoming, stored.ReceivedAt, out var reading) && reading.Value is { } value)
            {
                if (!values.TryGetValue(reading.GroupKey, out var list))
                {
                    values[reading.GroupKey] = list = [];
                }

                list.Add(value);
            }
        }

        return values;
    }

    private static string Describe(string meterName, IReadOnlyDictionary<string, string?>? group, string stretch)
    {
        var text = meterName;
        if (group is { Count: > 0 })
        {
            text += " (" + string.Join(", ", group.Select(g => $"{g.Key}: {g.Value ?? "none"}")) + ")";
        }

        return stretch.Length == 0 ? text : $"{text} {stretch}";
    }

    /// <summary>"2026-11-01 to 2026-11-15" in the billing zone, the end shown inclusive when it falls on midnight.</summary>
    public static string Stretch(TimeZoneInfo zone, DateTime from, DateTime to)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var start = TimeZoneInfo.ConvertTimeFromUtc(from, zone);
        var end = TimeZoneInfo.ConvertTimeFromUtc(to, zone);
        var lastDay = end.TimeOfDay == TimeSpan.Zero ? end.AddDays(-1) : end;
        return $"{start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} to {lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
    }

    /// <summary>A breakdown as JSON, for storing on the invoice line.</summary>
    public static string? BreakdownJson(PriceResult? price) => price is null ? null : PricePreviewJson.Serialize(price);
}
