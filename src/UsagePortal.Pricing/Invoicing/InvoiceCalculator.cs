namespace UsagePortal.Pricing;

/// <summary>
/// Totals an invoice: each line rounded once with <see cref="Currency.RoundToMinorUnits"/>, subtotal as
/// the sum of rounded lines, credits consumed soonest-expiring first (grants that never expire last,
/// ties in the given order) without going below zero, tax on what remains rounded once, and a total
/// that is never negative.
/// </summary>
public static class InvoiceCalculator
{
    /// <summary>Computes the invoice totals.</summary>
    /// <exception cref="ArgumentException">
    /// A line other than a cap adjustment is negative, a grant balance is negative, or the tax rate is
    /// outside [0, 1] (a rate above 1 is almost always a percent passed as a fraction).
    /// </exception>
    public static InvoiceTotals Calculate(InvoiceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);
        var currency = input.Currency;

        var lines = input.Lines
            .Select(line => new InvoiceLineTotal(line, currency.RoundToMinorUnits(line.ExactAmount)))
            .ToList();
        var subtotal = lines.Sum(line => line.AmountMinorUnits);

        var consumptions = ConsumeCredits(input.CreditGrants, input.AsOf, Math.Max(0, subtotal));
        var credits = consumptions.Sum(c => c.ConsumedMinorUnits);

        var taxable = Math.Max(0, subtotal - credits);
        var tax = currency.RoundToMinorUnits(currency.FromMinorUnits(taxable) * input.TaxRate);

        var owed = subtotal - credits + tax;
        var waived = owed < 0 ? -owed : 0;
        return new InvoiceTotals(currency, lines, subtotal, credits, consumptions, taxable, tax, owed + waived, waived);
    }

    private static List<CreditConsumption> ConsumeCredits(
        IReadOnlyList<CreditGrantBalance> grants, DateTimeOffset asOf, long payable)
    {
        var consumptions = new List<CreditConsumption>();
        var usable = grants
            .Where(grant => grant.ExpiresAt is not { } expiry || expiry > asOf)
            .OrderBy(grant => grant.ExpiresAt.HasValue ? 0 : 1)
            .ThenBy(grant => grant.ExpiresAt);

        foreach (var grant in usable)
        {
            if (payable == 0)
            {
                break;
            }

            var consumed = Math.Min(payable, grant.AvailableMinorUnits);
            if (consumed == 0)
            {
                continue;
            }

            payable -= consumed;
            consumptions.Add(new CreditConsumption(grant.GrantId, consumed, grant.AvailableMinorUnits - consumed));
        }

        return consumptions;
    }

    private static void Validate(InvoiceInput input)
    {
        ArgumentNullException.ThrowIfNull(input.Currency);
        ArgumentNullException.ThrowIfNull(input.Lines);
        ArgumentNullException.ThrowIfNull(input.CreditGrants);
        if (input.TaxRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(input), input.TaxRate,
                "TaxRate is a fraction between 0 and 1 (0.2 = 20 %).");
        }

        foreach (var line in input.Lines)
        {
            if (line.ExactAmount < 0 && line.Kind != InvoiceLineKind.CapAdjustment)
            {
                throw new ArgumentException(
                    $"Line '{line.Description}' ({line.Kind}) is negative; only cap adjustments may be.", nameof(input));
            }
        }

        foreach (var grant in input.CreditGrants)
        {
            if (grant.AvailableMinorUnits < 0)
            {
                throw new ArgumentException($"Credit grant '{grant.GrantId}' has a negative balance.", nameof(input));
            }
        }
    }
}
