using System.Globalization;
using System.Text.Json;
using UsagePortal.Domain.Invoicing;

namespace UsagePortal.Web.Formatting;

/// <summary>
/// How an invoice's lines read, the same on the screen (InvoiceView), in the print layout and PDF (InvoicePrint) and in
/// the CSV: quantities as a customer would write them, and each line's per-range breakdown.
/// </summary>
public static class InvoiceText
{
    /// <summary>The breakdown columns' headings.</summary>
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["kind"] = "Part",
        ["fromValue"] = "From",
        ["toValue"] = "Up to",
        ["units"] = "Units",
        ["perUnitAmount"] = "Unit price",
        ["rate"] = "Rate (%)",
        ["flatAmount"] = "Flat amount",
        ["eventCount"] = "Events",
        ["packageCount"] = "Packages",
        ["amount"] = "Amount",
    };

    /// <summary>
    /// A line's quantity as a customer reads it: a prorated flat fee as its share of the period (not "0.02800063"), the
    /// minimum commitment's top-up and the cap's adjustment without one (their descriptions say what they are), units otherwise.
    /// </summary>
    public static string Quantity(PortalFormat format, string kind, decimal quantity)
    {
        ArgumentNullException.ThrowIfNull(format);
        return kind switch
        {
            LineKinds.FlatFee when quantity != 1m => $"{format.Percent(Math.Round(quantity, 4))} of the period",
            LineKinds.MinimumCommitment or LineKinds.CapAdjustment => "—",
            _ => format.Number(quantity),
        };
    }

    /// <summary>The rows of a stored breakdown: <c>{ amount, breakdown: [...] }</c> as the price preview writes it, or a bare array.</summary>
    public static IReadOnlyList<IReadOnlyList<(string Name, JsonElement Value)>> BreakdownRows(string? json)
    {
        if (InvoiceAnswers.Breakdown(json) is not { } root)
        {
            return [];
        }

        var array = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("breakdown", out var inner) && inner.ValueKind == JsonValueKind.Array ? inner
            : default;
        if (array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return array.EnumerateArray()
            .Where(row => row.ValueKind == JsonValueKind.Object)
            .Select(row => (IReadOnlyList<(string, JsonElement)>)row.EnumerateObject().Select(p => (p.Name, p.Value)).ToList())
            .ToList();
    }

    /// <summary>The columns a breakdown shows: a column no row fills is left out ("up to" stays: empty means no end).</summary>
    public static IReadOnlyList<string> Columns(IReadOnlyList<IReadOnlyList<(string Name, JsonElement Value)>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return [.. rows.SelectMany(r => r.Where(c => c.Value.ValueKind != JsonValueKind.Null || c.Name == "toValue").Select(c => c.Name)).Distinct()];
    }

    /// <summary>One breakdown cell, with every digit: unit prices may carry sub-cent precision, and the customer reconciles with them.</summary>
    public static string Cell(PortalFormat format, string column, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(format);
        return value.ValueKind switch
        {
            JsonValueKind.Null when column == "toValue" => "∞",
            JsonValueKind.String when column == "kind" => value.GetString()!.Replace('_', ' '),
            JsonValueKind.String or JsonValueKind.Number when decimal.TryParse(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(),
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number) => format.Exact(number),
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Undefined or JsonValueKind.Null => "—",
            _ => value.GetRawText(),
        };
    }
}
