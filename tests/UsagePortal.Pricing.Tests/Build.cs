namespace UsagePortal.Pricing.Tests;

/// <summary>Short ways to build charges and price them in tests.</summary>
internal static class Build
{
    public static PriceRange Range(decimal from, decimal? to, decimal perUnit, decimal flat = 0m) => new(from, to, perUnit, flat);

    public static PricingStrategy Graduated(params PriceRange[] ranges) =>
        PricingStrategyFactory.Create(new GraduatedProperties(ranges));

    public static PricingStrategy Volume(params PriceRange[] ranges) =>
        PricingStrategyFactory.Create(new VolumeProperties(ranges));

    public static PricingStrategy Package(decimal amount, decimal size, decimal freeUnits = 0m) =>
        PricingStrategyFactory.Create(new PackageProperties(amount, size, freeUnits));

    public static PricingStrategy Percentage(PercentageProperties properties) =>
        PricingStrategyFactory.Create(properties);

    /// <summary>The worked example of PRODUCT.md: [0–10 at 10 + 2; 11–20 at 5 + 3; 21–∞ at 5 + 3].</summary>
    public static PriceRange[] SpecGraduatedRanges =>
    [
        Range(0, 10, 10, 2),
        Range(11, 20, 5, 3),
        Range(21, null, 5, 3),
    ];
}
