using System.Text.Json;
using System.Text.Json.Nodes;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Plans;

/// <summary>Plans as people read them on the admin pages: money with its currency, charges as sentences, and the plan JSON to edit.</summary>
public static class PlanText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Minor units as "49.90 USD".</summary>
    public static string Money(long minorUnits, string currency) =>
        $"{Currency.FromCode(currency).FormatMinorUnits(minorUnits)} {currency}";

    /// <summary>Each charge of a version as one sentence.</summary>
    public static IReadOnlyList<string> Charges(PlanVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return [.. PeriodRater.ChargesOf(version).Select(c => Describe(c, version.Currency))];
    }

    /// <summary>
    /// "api_calls: first 1000 units free each period, then 0.002 USD per unit"; ranges read as their bands, e.g.
    /// "up to 10 at 10 USD per unit + 2 USD; over 10 at 5 USD per unit + 3 USD".
    /// </summary>
    public static string Describe(PlanCharge charge, string currency)
    {
        ArgumentNullException.ThrowIfNull(charge);
        var allowance = charge.FreeAllowance > 0 ? $"first {Number(charge.FreeAllowance)} units free each period, then " : "";
        var model = charge.Charge.Properties switch
        {
            StandardProperties p => $"{Amount(p.UnitAmount, currency)} per unit",
            GraduatedProperties p => "graduated: " + Bands(p.Ranges, r => $"{Amount(r.PerUnitAmount, currency)} per unit", currency),
            VolumeProperties p => "volume, all units at the price of the band the total falls in: " + Bands(p.Ranges, r => $"{Amount(r.PerUnitAmount, currency)} per unit", currency),
            PackageProperties p => $"{Amount(p.Amount, currency)} per started package of {Number(p.PackageSize)} units"
                + (p.FreeUnits > 0 ? $", the first {Number(p.FreeUnits)} units free" : ""),
            PercentageProperties p => Percentage(p, currency),
            GraduatedPercentageProperties p => "graduated percentage: " + Bands(p.Ranges, r => $"{Number(r.Rate)} %", currency),
            _ => ChargeModelNames.ToName(charge.Charge.Model),
        };
        return $"{charge.Meter}: {allowance}{model}";
    }

    /// <summary>The plan JSON of a version, indented, as the publish form takes it.</summary>
    public static string Json(string code, PlanVersion version)
    {
        var answer = PlanAnswers.Answer(code, version, []);
        var plan = new JsonObject
        {
            ["code"] = answer.Code,
            ["name"] = answer.Name,
            ["currency"] = answer.Currency,
            ["interval"] = answer.Interval,
            ["flatFee"] = answer.FlatFee,
            ["minimumCommitment"] = answer.MinimumCommitment,
            ["charges"] = JsonNode.Parse(answer.Charges.GetRawText()),
        };
        return plan.ToJsonString(Indented);
    }

    private static string Percentage(PercentageProperties p, string currency)
    {
        var parts = new List<string> { $"{Number(p.Rate)} % of the amount" };
        if (p.FixedAmount is { } fixedAmount and > 0)
        {
            parts.Add($"plus {Amount(fixedAmount, currency)} per paid event");
        }

        if (p.FreeUnitsPerEvents is { } freeEvents and > 0)
        {
            parts.Add($"the first {freeEvents} events free");
        }

        if (p.FreeUnitsPerTotalAggregation is { } freeAmount and > 0)
        {
            parts.Add($"the first {Number(freeAmount)} of amount free");
        }

        if (p.PerTransactionMinAmount is { } min)
        {
            parts.Add($"at least {Amount(min, currency)} per paid event");
        }

        if (p.PerTransactionMaxAmount is { } max)
        {
            parts.Add($"at most {Amount(max, currency)} per paid event");
        }

        return string.Join(", ", parts);
    }

    private static string Bands<T>(IReadOnlyList<T> ranges, Func<T, string> price, string currency) where T : IRange
    {
        var bands = new List<string>();
        decimal? previousTop = null;
        foreach (var range in ranges)
        {
            var band = (previousTop, range.ToValue) switch
            {
                (null, { } top) => $"up to {Number(top)}",
                (null, null) => "any quantity",
                ({ } from, { } top) => $"over {Number(from)} up to {Number(top)}",
                ({ } from, null) => $"over {Number(from)}",
            };
            bands.Add($"{band} at {price(range)}" + (range.FlatAmount > 0 ? $" + {Amount(range.FlatAmount, currency)}" : ""));
            previousTop = range.ToValue;
        }

        return string.Join("; ", bands);
    }

    private static string Amount(decimal value, string currency) => $"{Number(value)} {currency}";

    private static string Number(decimal value) => Decimals.ToText(value);
}
