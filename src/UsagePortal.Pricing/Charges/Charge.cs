namespace UsagePortal.Pricing;

/// <summary>A charge: one meter priced with one model.</summary>
/// <param name="Meter">Code of the meter whose aggregated quantity is priced; <c>null</c> in a price preview.</param>
/// <param name="Properties">The model and its typed properties.</param>
public sealed record Charge(string? Meter, ChargeProperties Properties)
{
    /// <summary>The pricing model, taken from <see cref="Properties"/>.</summary>
    public ChargeModel Model => Properties.Model;
}
