using UsagePortal.Data.Billing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Plans;

/// <summary>One difference between two versions of a plan, as people read it; null on a side where it does not exist.</summary>
public sealed record PlanChangeRow(string Field, string? Before, string? After);

/// <summary>What a new version of a plan changes from the one before it: name, fees and each meter's charge, in words.</summary>
public static class PlanDiff
{
    /// <summary>The rows that differ between <paramref name="before"/> and <paramref name="after"/>; empty when they price the same.</summary>
    public static IReadOnlyList<PlanChangeRow> Between(PlanVersion before, PlanTerms after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return Between(Terms(before), After(after));
    }

    /// <summary>The rows that differ between two stored versions (a version and the one before it).</summary>
    public static IReadOnlyList<PlanChangeRow> Between(PlanVersion before, PlanVersion after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return Between(Terms(before), Terms(after));
    }

    private sealed record Shown(string Name, string Currency, string FlatFee, string Minimum, IReadOnlyDictionary<string, string> Charges);

    private static Shown Terms(PlanVersion version) => new(
        version.Name,
        version.Currency,
        PlanText.Money(version.FlatFeeMinorUnits, version.Currency),
        PlanText.Money(version.MinimumCommitmentMinorUnits, version.Currency),
        PeriodRater.ChargesOf(version).ToDictionary(c => c.Meter, c => PlanText.Describe(c, version.Currency), StringComparer.Ordinal));

    private static Shown After(PlanTerms terms) => new(
        terms.Name,
        terms.Currency.Code,
        PlanText.Money(terms.FlatFeeMinorUnits, terms.Currency.Code),
        PlanText.Money(terms.MinimumCommitmentMinorUnits, terms.Currency.Code),
        terms.Charges.ToDictionary(c => c.Meter, c => PlanText.Describe(c, terms.Currency.Code), StringComparer.Ordinal));

    private static List<PlanChangeRow> Between(Shown before, Shown after)
    {
        var rows = new List<PlanChangeRow>();
        void Compare(string field, string? old, string? now)
        {
            if (!string.Equals(old, now, StringComparison.Ordinal))
            {
                rows.Add(new PlanChangeRow(field, old, now));
            }
        }

        Compare("Name", before.Name, after.Name);
        Compare("Currency", before.Currency, after.Currency);
        Compare("Flat fee", before.FlatFee, after.FlatFee);
        Compare("Minimum commitment", before.Minimum, after.Minimum);
        foreach (var meter in before.Charges.Keys.Union(after.Charges.Keys, StringComparer.Ordinal))
        {
            Compare($"Charge on {meter}", before.Charges.GetValueOrDefault(meter), after.Charges.GetValueOrDefault(meter));
        }

        return rows;
    }
}
