using System.Diagnostics.CodeAnalysis;

namespace UsagePortal.Pricing;

/// <summary>A price-preview question: a charge and the usage to price with it.</summary>
/// <param name="Charge">The charge (its meter is not needed).</param>
/// <param name="Units">Aggregated quantity.</param>
/// <param name="EventCount">Number of events; defaults to the number of <paramref name="EventValues"/>, else 0.</param>
/// <param name="EventValues">Each event's value, in time order (percentage models only).</param>
public sealed record PricePreviewRequest(
    Charge Charge,
    decimal Units,
    long? EventCount = null,
    IReadOnlyList<decimal>? EventValues = null);

/// <summary>The answer of a price preview: the exact price, or every reason it could not be computed.</summary>
public sealed record PricePreviewResult(PriceResult? Price, IReadOnlyList<ValidationError> Errors)
{
    /// <summary>True when <see cref="Price"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Price))]
    public bool IsValid => Price is not null && Errors.Count == 0;
}

/// <summary>
/// The calculator behind <c>POST /api/v1/price-preview</c>: the same strategies that rate invoices,
/// returning the exact, unrounded amount and its breakdown.
/// </summary>
public static class PricePreview
{
    /// <summary>
    /// Prices <paramref name="request"/>. Event count and values matter only to percentage models;
    /// other models ignore them (so their values need not add up to units).
    /// Errors name fields as the request does: <c>units</c>, <c>eventCount</c>, <c>eventValues[2]</c>,
    /// <c>charge.properties...</c>.
    /// </summary>
    public static PricePreviewResult Calculate(PricePreviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var chargeErrors = ChargeValidator.Validate(request.Charge.Properties);
        if (chargeErrors.Count > 0)
        {
            return new PricePreviewResult(null, [.. chargeErrors.Select(e => e.Under("charge"))]);
        }

        var strategy = PricingStrategyFactory.Create(request.Charge);
        var usage = new Usage(
            request.Units,
            request.EventCount ?? request.EventValues?.Count ?? 0,
            request.EventValues);
        var usageErrors = strategy.ValidateUsage(usage);
        return usageErrors.Count > 0
            ? new PricePreviewResult(null, usageErrors)
            : new PricePreviewResult(strategy.Price(usage), []);
    }

    /// <summary>Prices a charge for the given usage; see <see cref="Calculate(PricePreviewRequest)"/>.</summary>
    public static PricePreviewResult Calculate(
        Charge charge, decimal units, long? eventCount = null, IReadOnlyList<decimal>? eventValues = null) =>
        Calculate(new PricePreviewRequest(charge, units, eventCount, eventValues));
}
