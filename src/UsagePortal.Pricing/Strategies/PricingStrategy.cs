using System.Globalization;

namespace UsagePortal.Pricing;

/// <summary>
/// A pricing model as a pure function from <see cref="Usage"/> to an exact <see cref="PriceResult"/>.
/// Create one with <see cref="PricingStrategyFactory.Create(ChargeProperties)"/>, which refuses invalid properties.
/// </summary>
public abstract class PricingStrategy
{
    /// <summary>The model this strategy implements.</summary>
    public abstract ChargeModel Model { get; }

    /// <summary>
    /// True when pricing needs <see cref="Usage.EventValues"/>, not just units and a count
    /// (percentage models with allowances or per-transaction limits).
    /// </summary>
    public virtual bool RequiresEventValues => false;

    /// <summary>Every reason the usage cannot be priced, with fields named as in the price-preview request.</summary>
    public virtual IReadOnlyList<ValidationError> ValidateUsage(Usage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var errors = new List<ValidationError>();
        if (usage.Units < 0)
        {
            errors.Add(new("units", "must not be negative"));
        }

        if (usage.EventCount < 0)
        {
            errors.Add(new("eventCount", "must not be negative"));
        }

        return errors;
    }

    /// <summary>Prices the usage; the amount is exact and unrounded.</summary>
    /// <exception cref="ArgumentException">The usage does not pass <see cref="ValidateUsage"/>.</exception>
    public PriceResult Price(Usage usage)
    {
        var errors = ValidateUsage(usage);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Usage cannot be priced: " + string.Join("; ", errors), nameof(usage));
        }

        return Compute(usage);
    }

    /// <summary>Prices a quantity with no event detail.</summary>
    public PriceResult Price(decimal units) => Price(Usage.OfUnits(units));

    /// <summary>Prices usage that already passed <see cref="ValidateUsage"/>.</summary>
    protected abstract PriceResult Compute(Usage usage);

    private protected static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
