namespace UsagePortal.Pricing;

/// <summary>Chooses the strategy for a charge's model (one strategy per model, as in Lago).</summary>
public static class PricingStrategyFactory
{
    /// <summary>Creates the strategy for validated properties.</summary>
    /// <exception cref="InvalidChargeException">The properties break a rule of <see cref="ChargeValidator"/>.</exception>
    public static PricingStrategy Create(ChargeProperties properties)
    {
        var errors = ChargeValidator.Validate(properties);
        if (errors.Count > 0)
        {
            throw new InvalidChargeException(errors);
        }

        return properties switch
        {
            StandardProperties p => new StandardStrategy(p),
            GraduatedProperties p => new GraduatedStrategy(p),
            VolumeProperties p => new VolumeStrategy(p),
            PackageProperties p => new PackageStrategy(p),
            PercentageProperties p => new PercentageStrategy(p),
            GraduatedPercentageProperties p => new GraduatedPercentageStrategy(p),
            _ => throw new ArgumentException($"Unsupported properties type {properties.GetType().Name}.", nameof(properties)),
        };
    }

    /// <summary>Creates the strategy for a charge.</summary>
    /// <exception cref="InvalidChargeException">The charge's properties are invalid.</exception>
    public static PricingStrategy Create(Charge charge)
    {
        ArgumentNullException.ThrowIfNull(charge);
        return Create(charge.Properties);
    }
}
