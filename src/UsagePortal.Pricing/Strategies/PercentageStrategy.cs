namespace UsagePortal.Pricing;

/// <summary>
/// <c>percentage</c>: <c>rate</c> percent of a summed amount (units), plus <c>fixedAmount</c> per paid event.
/// </summary>
/// <remarks>
/// How PRODUCT.md is read where it leaves room:
/// <list type="number">
/// <item><c>rate</c> is a percent: an amount contributes <c>amount × rate / 100</c> ("1.3" = 1.3 %).</item>
/// <item>Units are the summed amount. When event values are given they must be non-negative, in time
/// order, their sum must equal units and their number the event count; a mismatch is an input error,
/// never silently resolved.</item>
/// <item>An allowance of 0 means none, exactly like an unset one.</item>
/// <item>Without per-transaction limits, 0 units cost 0: no fixed fee, even when zero-valued events exist. With limits,
/// every paid event is priced on its own, so a paid event of value 0 still pays the minimum; with no events nothing is due.</item>
/// <item>Event i (in order) is free when at least one allowance is set and it is within the first
/// <c>freeUnitsPerEvents</c> events (if set) and the running total including it is strictly below
/// <c>freeUnitsPerTotalAggregation</c> (if set). With both set this makes the smaller free amount win:
/// the free amount is min(sum of the first N events, X).</item>
/// <item>The crossing event (the first non-free event while still within the first N events and with
/// the running total before it below X) is a paid event: it pays the fixed fee and only
/// <c>running total − X</c> of it carries the rate. A running total that lands exactly on X therefore
/// makes a paid event with 0 rated amount. If the N free events run out before X is reached, the next
/// event is simply paid in full: the event allowance was the smaller one.</item>
/// <item>With <c>perTransactionMinAmount</c> and/or <c>perTransactionMaxAmount</c> every paid event is
/// priced alone as <c>ratedValue × rate / 100 + fixedAmount</c>, where ratedValue is the event's value, or
/// for the crossing event its part above the allowance, and then clamped to [min, max]. Free events pay
/// nothing, and with no paid events nothing is due, so the minimum never applies to an empty period.</item>
/// <item>Without event values (only allowed when no allowance and no limit is set) the amount is
/// <c>units × rate / 100 + eventCount × fixedAmount</c>.</item>
/// </list>
/// </remarks>
public sealed class PercentageStrategy : PricingStrategy
{
    private readonly PercentageProperties properties;

    internal PercentageStrategy(PercentageProperties properties) => this.properties = properties;

    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Percentage;

    /// <inheritdoc />
    public override bool RequiresEventValues => HasAllowance || HasLimits;

    private bool HasAllowance => FreeEvents is not null || FreeAmount is not null;

    // An allowance of 0 is no allowance: it must not cancel the other one (PRODUCT.md, percentage).
    private long? FreeEvents => properties.FreeUnitsPerEvents is > 0 ? properties.FreeUnitsPerEvents : null;

    private decimal? FreeAmount => properties.FreeUnitsPerTotalAggregation is > 0m ? properties.FreeUnitsPerTotalAggregation : null;

    private bool HasLimits =>
        properties.PerTransactionMinAmount is not null || properties.PerTransactionMaxAmount is not null;

    private decimal FixedAmount => properties.FixedAmount ?? 0m;

    /// <inheritdoc />
    public override IReadOnlyList<ValidationError> ValidateUsage(Usage usage)
    {
        var errors = new List<ValidationError>(base.ValidateUsage(usage));
        if (usage.EventValues is not { } values)
        {
            if (RequiresEventValues && usage.Units != 0)
            {
                errors.Add(new("eventValues",
                    "are required: this percentage charge has free allowances or per-transaction limits, which are applied event by event"));
            }

            return errors;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] < 0)
            {
                errors.Add(new($"eventValues[{i}]", "must not be negative"));
            }
        }

        if (usage.EventCount != values.Count)
        {
            errors.Add(new("eventCount", $"must equal the number of eventValues ({values.Count})"));
        }

        var sum = values.Sum();
        if (usage.Units >= 0 && usage.Units != sum)
        {
            errors.Add(new("units", $"must equal the sum of eventValues ({Format(sum)})"));
        }

        return errors;
    }

    /// <inheritdoc />
    protected override PriceResult Compute(Usage usage)
    {
        if (usage.Units == 0 && !(HasLimits && usage.EventCount > 0))
        {
            return PriceResult.Zero;
        }

        if (!RequiresEventValues)
        {
            return PriceResult.FromRows([Rated(usage.Units, usage.EventCount)]);
        }

        // With 0 units and no values given, every event (values are never negative) was worth 0.
        var values = usage.EventValues ?? [.. Enumerable.Repeat(0m, checked((int)usage.EventCount))];
        var events = Classify(values);
        var rows = new List<BreakdownRow>();
        var free = events.Where(e => e.IsFree).ToList();
        if (HasAllowance)
        {
            rows.Add(new BreakdownRow
            {
                Kind = BreakdownKind.Free,
                Units = usage.Units - events.Sum(e => e.RatedValue),
                EventCount = free.Count,
                Amount = 0m,
            });
        }

        var paid = events.Where(e => !e.IsFree).ToList();
        rows.AddRange(HasLimits ? PricedOneByOne(paid) : PricedTogether(paid));
        return PriceResult.FromRows(rows);
    }

    private IEnumerable<BreakdownRow> PricedTogether(List<EventShare> paid)
    {
        if (paid.Count > 0)
        {
            yield return Rated(paid.Sum(e => e.RatedValue), paid.Count);
        }
    }

    private IEnumerable<BreakdownRow> PricedOneByOne(List<EventShare> paid)
    {
        var min = properties.PerTransactionMinAmount;
        var max = properties.PerTransactionMaxAmount;
        var priced = paid.Select(e => (e.RatedValue, Price: e.RatedValue * properties.Rate / 100m + FixedAmount)).ToList();

        var raised = priced.Where(p => p.Price < min).ToList();
        var capped = priced.Where(p => p.Price > max).ToList();
        var within = priced.Where(p => !(p.Price < min) && !(p.Price > max)).ToList();

        if (within.Count > 0)
        {
            yield return Rated(within.Sum(p => p.RatedValue), within.Count);
        }

        if (raised.Count > 0)
        {
            yield return Clamped(BreakdownKind.RaisedToMinimum, raised.Sum(p => p.RatedValue), raised.Count, min!.Value);
        }

        if (capped.Count > 0)
        {
            yield return Clamped(BreakdownKind.CappedAtMaximum, capped.Sum(p => p.RatedValue), capped.Count, max!.Value);
        }
    }

    private BreakdownRow Rated(decimal ratedUnits, long eventCount) => new()
    {
        Kind = BreakdownKind.Rated,
        Units = ratedUnits,
        Rate = properties.Rate,
        EventCount = eventCount,
        FlatAmount = eventCount * FixedAmount,
        Amount = ratedUnits * properties.Rate / 100m + eventCount * FixedAmount,
    };

    private BreakdownRow Clamped(BreakdownKind kind, decimal ratedUnits, long eventCount, decimal limit) => new()
    {
        Kind = kind,
        Units = ratedUnits,
        Rate = properties.Rate,
        EventCount = eventCount,
        Amount = eventCount * limit,
    };

    /// <summary>Splits the events into free ones and paid ones with the part of each that carries the rate.</summary>
    private List<EventShare> Classify(IReadOnlyList<decimal> values)
    {
        var hasAllowance = HasAllowance;
        var freeEvents = FreeEvents;
        var freeAmount = FreeAmount;
        var shares = new List<EventShare>(values.Count);
        var runningTotal = 0m;
        for (var i = 0; i < values.Count; i++)
        {
            var before = runningTotal;
            runningTotal += values[i];
            var withinFreeEvents = freeEvents is not { } n || i < n;
            var belowFreeAmount = freeAmount is not { } x || runningTotal < x;

            if (hasAllowance && withinFreeEvents && belowFreeAmount)
            {
                shares.Add(new EventShare(IsFree: true, RatedValue: 0m));
            }
            else if (withinFreeEvents && freeAmount is { } allowance && before < allowance)
            {
                shares.Add(new EventShare(IsFree: false, RatedValue: runningTotal - allowance));
            }
            else
            {
                shares.Add(new EventShare(IsFree: false, RatedValue: values[i]));
            }
        }

        return shares;
    }

    private readonly record struct EventShare(bool IsFree, decimal RatedValue);
}
