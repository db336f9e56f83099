using System.Globalization;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>
/// The lines of one plan phase of a period that usage does not price: the flat fee, prorated to the phase's share of the
/// period, and the minimum-commitment true-up over the phase's charges. The invoice (<see cref="PeriodRater"/>) and every
/// figure of the dashboard (cost so far, each day of the chart, the projection and its band) get these lines here, and
/// their totals from <see cref="InvoiceCalculator"/>, so the screen and the invoice cannot disagree.
/// </summary>
public static class PhaseFees
{
    /// <param name="currency">The period's currency.</param>
    /// <param name="phase">The phase's terms and stretch.</param>
    /// <param name="billed">The phase's share of the period (wall-clock time in the billing zone), over <paramref name="whole"/>.</param>
    /// <param name="whole">The nominal period's length.</param>
    /// <param name="chargeAmounts">The exact amounts of the phase's charge lines: the commitment is trued up against them.</param>
    /// <param name="stretch">"1 Oct – 15 Oct" when the period has several phases, else empty.</param>
    public static IReadOnlyList<RatedLine> For(Currency currency, PhaseTerms phase, decimal billed, decimal whole, IEnumerable<decimal> chargeAmounts, string stretch)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(chargeAmounts);
        var lines = new List<RatedLine>(2);
        var partial = billed != whole;
        var version = phase.Version;
        if (version.FlatFeeMinorUnits > 0)
        {
            var fee = RecurringFee.Prorate(currency.FromMinorUnits(version.FlatFeeMinorUnits), billed, whole);
            var description = $"Flat fee, {version.Name}" + (partial ? $" {stretch}, prorated" : "");
            lines.Add(new RatedLine(LineKinds.FlatFee, description, null, "", partial ? billed / whole : 1m, fee, null, version.Id, phase.From, phase.To));
        }

        if (version.MinimumCommitmentMinorUnits > 0)
        {
            var commitment = RecurringFee.Prorate(currency.FromMinorUnits(version.MinimumCommitmentMinorUnits), billed, whole);
            var amounts = chargeAmounts.ToList();
            var trueUp = MinimumCommitment.TrueUp(currency, commitment, amounts);
            if (trueUp > 0)
            {
                // What the line is, in the customer's words: the commitment, what usage came to, and that this is the gap.
                var charged = amounts.Sum(currency.Round);
                var description = $"Minimum commitment, {version.Name}" + (partial ? $" {stretch}" : "")
                    + $": usage came to {currency.FormatMinorUnits(currency.RoundToMinorUnits(charged))} of the {currency.FormatMinorUnits(currency.RoundToMinorUnits(commitment))} {currency.Code} committed; this is the difference";
                lines.Add(new RatedLine(LineKinds.MinimumCommitment, description, null, "", 1m, trueUp, null, version.Id, phase.From, phase.To));
            }
        }

        return lines;
    }

    /// <summary>A rated line as the invoice calculator takes it.</summary>
    public static InvoiceLineInput ToInput(RatedLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new InvoiceLineInput(LineKinds.ToPricing(line.Kind), line.Description, line.ExactAmount);
    }

    /// <summary>The sum of the lines as the invoice adds them (each rounded once): the subtotal before credits and tax.</summary>
    public static long Subtotal(Currency currency, IEnumerable<RatedLine> lines, DateTime asOf) =>
        InvoiceCalculator.Calculate(new InvoiceInput(currency, [.. lines.Select(ToInput)], [], 0m, new DateTimeOffset(DateTime.SpecifyKind(asOf, DateTimeKind.Utc)))).Subtotal;
}
