using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>
/// The hard cap on an invoice: when its lines (each rounded once, late usage included) come to more than the customer's
/// cap, one negative line brings the subtotal back to the cap exactly; credits and tax then apply to what remains. The
/// invoice and the dashboard's preview both take the line from here.
/// </summary>
public static class SpendCap
{
    /// <summary>The adjustment line for <paramref name="lines"/> under <paramref name="cap"/> (minor units), or null when they stay within it.</summary>
    public static RatedLine? Adjustment(Currency currency, IReadOnlyList<RatedLine> lines, long? cap, DateTime from, DateTime to)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(lines);
        if (cap is not { } limit)
        {
            return null;
        }

        var billed = lines.Sum(line => currency.RoundToMinorUnits(line.ExactAmount));
        if (billed <= limit)
        {
            return null;
        }

        var description = $"Spend cap of {currency.FormatMinorUnits(limit)} {currency.Code}: usage and fees came to {currency.FormatMinorUnits(billed)}; nothing past the cap is billed";
        return new RatedLine(LineKinds.CapAdjustment, description, null, "", 1m, -currency.FromMinorUnits(billed - limit), null, null, from, to);
    }
}
