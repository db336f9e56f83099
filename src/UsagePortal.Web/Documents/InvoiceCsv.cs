using System.Globalization;
using System.Text;
using UsagePortal.Data.Billing;
using UsagePortal.Pricing;

namespace UsagePortal.Web.Documents;

/// <summary>
/// An invoice's lines and totals as CSV (RFC 4180, UTF-8), for a spreadsheet: amounts as plain decimals with a point in
/// the invoice's currency, dates as ISO 8601 UTC, so that any locale's spreadsheet reads them the same.
/// </summary>
public static class InvoiceCsv
{
    public static string Write(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var currency = Currency.FromCode(invoice.Currency);
        var csv = new StringBuilder();
        Row(csv, "invoice", "line", "kind", "description", "meter", "group", "usage_from", "usage_to", "quantity", "amount", "currency");
        var number = invoice.Number ?? "draft";
        foreach (var line in invoice.Lines.OrderBy(l => l.Position))
        {
            Row(csv, number, line.Position.ToString(CultureInfo.InvariantCulture), line.Kind, line.Description, line.MeterCode ?? "", line.GroupKey,
                Iso(line.UsageFrom), Iso(line.UsageTo), line.Quantity.ToString(CultureInfo.InvariantCulture), currency.FormatMinorUnits(line.Amount), currency.Code);
        }

        foreach (var (kind, amount) in new[] { ("subtotal", invoice.Subtotal), ("credits_applied", -invoice.CreditsApplied), ("tax", invoice.Tax), ("total", invoice.Total) })
        {
            Row(csv, number, "", kind, "", "", "", "", "", "", currency.FormatMinorUnits(amount), currency.Code);
        }

        return csv.ToString();
    }

    /// <summary>One RFC 4180 row: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    public static void Row(StringBuilder csv, params string[] fields)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(fields);
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var field = fields[i];
            // A leading =, +, - or @ would be a formula in a spreadsheet: a quote mark first keeps it text.
            if (field.Length > 0 && "=+-@".Contains(field[0], StringComparison.Ordinal) && !decimal.TryParse(field, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            {
                field = "'" + field;
            }

            csv.Append(field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field);
        }

        csv.Append("\r\n");
    }

    private static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
