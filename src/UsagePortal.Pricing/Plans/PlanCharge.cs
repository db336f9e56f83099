namespace UsagePortal.Pricing;

/// <summary>
/// A plan's charge: one meter priced with one model, after an optional free allowance of units per period
/// (PRODUCT.md "free allowance"). The strategy is built once; pricing is a pure function of the usage.
/// </summary>
public sealed class PlanCharge
{
    private readonly PricingStrategy strategy;

    /// <exception cref="InvalidChargeException">The charge's properties are invalid.</exception>
    public PlanCharge(Charge charge, decimal freeAllowance = 0m)
    {
        ArgumentNullException.ThrowIfNull(charge);
        ArgumentException.ThrowIfNullOrEmpty(charge.Meter);
        ArgumentOutOfRangeException.ThrowIfNegative(freeAllowance);
        Charge = charge;
        FreeAllowance = freeAllowance;
        strategy = PricingStrategyFactory.Create(charge);
    }

    /// <summary>The charge as configured.</summary>
    public Charge Charge { get; }

    /// <summary>The meter code the charge prices.</summary>
    public string Meter => Charge.Meter!;

    /// <summary>Units given away each period before the model prices the rest (0 = none).</summary>
    public decimal FreeAllowance { get; }

    /// <summary>
    /// True when a period is priced from its events rather than its quantity: percentage charges always are (their
    /// fixed fee is per event, so the count matters even without allowances or per-event limits).
    /// </summary>
    public bool PricesEvents => strategy.RequiresEventValues || Charge.Model == ChargeModel.Percentage;

    /// <summary>Prices a period's quantity; the allowance comes off first and shows as a free row.</summary>
    public PriceResult Price(decimal units) => Price(Usage.OfUnits(units));

    /// <summary>Prices a period's usage; the allowance comes off the units first and shows as a free row.</summary>
    public PriceResult Price(Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (FreeAllowance == 0m)
        {
            return strategy.Price(usage);
        }

        var free = global::UsagePortal.Pricing.FreeAllowance.FreeUnits(usage.Units, FreeAllowance);
        var billable = usage with { Units = global::UsagePortal.Pricing.FreeAllowance.BillableUnits(usage.Units, FreeAllowance) };
        var priced = strategy.Price(billable);
        List<BreakdownRow> rows = [new BreakdownRow { Kind = BreakdownKind.Free, Units = free, Amount = 0m }, .. priced.Breakdown];
        return new PriceResult(priced.Amount, rows);
    }
}
