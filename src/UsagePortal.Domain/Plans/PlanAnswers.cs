using System.Text.Json;
using UsagePortal.Data.Billing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Plans;

/// <summary>
/// A plan version in the plan shape of PRODUCT.md, plus its <c>version</c>, when and by whom it was published, and
/// the numbers of every version of the plan. Money is a decimal string in currency units; charges are in the
/// charge JSON, decimals as strings.
/// </summary>
public sealed record PlanAnswer(
    string Code,
    string Name,
    string Currency,
    string Interval,
    string FlatFee,
    string MinimumCommitment,
    JsonElement Charges,
    int Version,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    IReadOnlyList<int> Versions);

public static class PlanAnswers
{
    /// <summary>The answer for <paramref name="version"/>; <paramref name="versions"/> lists the plan's version numbers.</summary>
    public static PlanAnswer Answer(string code, PlanVersion version, IReadOnlyList<int> versions)
    {
        ArgumentNullException.ThrowIfNull(version);
        var currency = Currency.FromCode(version.Currency);
        using var charges = JsonDocument.Parse(version.ChargesJson);
        return new PlanAnswer(code, version.Name, currency.Code, version.Interval,
            currency.FormatMinorUnits(version.FlatFeeMinorUnits), currency.FormatMinorUnits(version.MinimumCommitmentMinorUnits),
            charges.RootElement.Clone(), version.Version, new DateTimeOffset(version.CreatedAt, TimeSpan.Zero), version.CreatedBy, versions);
    }
}
