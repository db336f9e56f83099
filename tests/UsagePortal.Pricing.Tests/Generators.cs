using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Pricing.Tests;

/// <summary>FsCheck generators of valid charges, usage and invoices.</summary>
internal static class Generators
{
    public static readonly Currency[] Currencies = [Currency.FromCode("USD"), Currency.FromCode("JPY"), Currency.FromCode("KWD")];

    /// <summary>0 to 100 with up to three decimals.</summary>
    public static Gen<decimal> Price => Gen.Choose(0, 100_000).Select(i => i / 1000m);

    /// <summary>0 to 2000 with up to two decimals.</summary>
    public static Gen<decimal> Units => Gen.Choose(0, 200_000).Select(i => i / 100m);

    /// <summary>Any decimal between −10000 and 10000 with 0 to 7 decimals.</summary>
    public static Gen<decimal> ExactAmount =>
        from mantissa in Gen.Choose(-1_000_000_000, 1_000_000_000)
        from scale in Gen.Choose(0, 7)
        select mantissa / Pow10(scale);

    /// <summary>Valid ranges in integer style (integer tops) or adjacent style (fractional tops).</summary>
    public static Gen<PriceRange[]> Ranges =>
        from count in Gen.Choose(1, 5)
        from adjacent in Gen.Elements(true, false)
        from widths in Gen.ArrayOf(Gen.Choose(1, 20_000), count - 1)
        from prices in Gen.ArrayOf(Price, count)
        from flats in Gen.ArrayOf(Price, count)
        select BuildRanges(adjacent, widths, prices, flats);

    /// <summary>Integer-style ranges with integer tops, to compare with a unit-by-unit reference.</summary>
    public static Gen<PriceRange[]> IntegerRanges =>
        from count in Gen.Choose(1, 5)
        from widths in Gen.ArrayOf(Gen.Choose(1, 40), count - 1)
        from prices in Gen.ArrayOf(Price, count)
        from flats in Gen.ArrayOf(Price, count)
        select BuildRanges(false, [.. widths.Select(w => w * 100)], prices, flats);

    /// <summary>Ranges with units that often sit exactly on a top, or a hair above or below one.</summary>
    public static Gen<(PriceRange[] Ranges, decimal Units)> RangesWithUnits =>
        Ranges.SelectMany(ranges => UnitsNearTops(ranges).Select(units => (ranges, units)));

    /// <summary>Integer ranges with integer units, often exactly on a top or one unit either side.</summary>
    public static Gen<(PriceRange[] Ranges, int Units)> IntegerRangesWithUnits =>
        IntegerRanges.SelectMany(ranges =>
            Gen.OneOf(
                    Gen.Choose(0, 250),
                    Gen.Elements(Tops(ranges)).SelectMany(top => Gen.Choose(-1, 1).Select(offset => (int)top + offset)))
                .Select(units => (ranges, Math.Max(units, 0))));

    public static Gen<decimal> UnitsNearTops(PriceRange[] ranges) =>
        Gen.OneOf(
            Units,
            Gen.Elements(Tops(ranges)).SelectMany(top =>
                Gen.Elements(0m, 0.0001m, -0.0001m, 1m, -1m).Select(offset => Math.Max(top + offset, 0m))));

    private static decimal[] Tops(PriceRange[] ranges) => [0m, .. ranges.Where(r => r.ToValue is not null).Select(r => r.ToValue!.Value)];

    public static Gen<decimal[]> EventValues =>
        Gen.Choose(0, 12).SelectMany(count => Gen.ArrayOf(Gen.Choose(0, 10_000).Select(i => i / 10m), count));

    public static Gen<PercentageProperties> PercentageWithAllowances =>
        from rate in Gen.Choose(0, 1000).Select(i => i / 100m)
        from freeEvents in Gen.Choose(-1, 6)
        from freeAmount in Gen.Choose(-1, 3000)
        select new PercentageProperties(
            rate,
            FreeUnitsPerEvents: freeEvents < 0 ? null : freeEvents,
            FreeUnitsPerTotalAggregation: freeAmount < 0 ? null : freeAmount / 10m);

    public static Gen<PercentageProperties> AnyPercentage =>
        from rate in Gen.Choose(0, 1000).Select(i => i / 100m)
        from fixedAmount in Gen.Choose(-1, 300)
        from freeEvents in Gen.Choose(-1, 6)
        from freeAmount in Gen.Choose(-1, 3000)
        from min in Gen.Choose(-1, 500)
        from spread in Gen.Choose(-1, 500)
        select new PercentageProperties(
            rate,
            fixedAmount < 0 ? null : fixedAmount / 100m,
            freeEvents < 0 ? null : freeEvents,
            freeAmount < 0 ? null : freeAmount / 10m,
            min < 0 ? null : min / 100m,
            spread < 0 ? null : (Math.Max(min, 0) + spread) / 100m);

    public static Gen<InvoiceInput> Invoices =>
        from currency in Gen.Elements(Currencies)
        from lineCount in Gen.Choose(0, 8)
        from amounts in Gen.ArrayOf(ExactAmount.Select(Math.Abs), lineCount)
        from capAdjustment in ExactAmount.Select(a => -Math.Abs(a) / 3)
        from withCap in Gen.Elements(true, false)
        from grantCount in Gen.Choose(0, 4)
        from grants in Gen.ArrayOf(Grant, grantCount)
        from taxPermille in Gen.Choose(0, 300)
        select new InvoiceInput(
            currency,
            [
                .. amounts.Select((a, i) => new InvoiceLineInput(InvoiceLineKind.Charge, $"line {i}", a)),
                .. withCap ? [new InvoiceLineInput(InvoiceLineKind.CapAdjustment, "cap", capAdjustment)] : Array.Empty<InvoiceLineInput>(),
            ],
            grants,
            taxPermille / 1000m,
            Now);

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static Gen<CreditGrantBalance> Grant =>
        from id in Gen.Choose(1, 1_000_000)
        from available in Gen.Choose(0, 2_000_000)
        from expiryDays in Gen.Choose(-30, 400)
        select new CreditGrantBalance($"grant-{id}", available, expiryDays > 365 ? null : Now.AddDays(expiryDays));

    private static PriceRange[] BuildRanges(bool adjacent, int[] widths, decimal[] prices, decimal[] flats)
    {
        var ranges = new PriceRange[prices.Length];
        var top = 0m;
        for (var i = 0; i < prices.Length; i++)
        {
            var from = i == 0 ? 0m : adjacent ? top : top + 1;
            decimal? to = null;
            if (i < widths.Length)
            {
                // Integer style needs whole tops so that "previous top + 1" never passes the next top.
                top += adjacent ? widths[i] / 100m : Math.Ceiling(widths[i] / 100m);
                to = top;
            }

            ranges[i] = new PriceRange(from, to, prices[i], flats[i]);
        }

        return ranges;
    }

    private static decimal Pow10(int exponent) => exponent == 0 ? 1m : 10m * Pow10(exponent - 1);
}
