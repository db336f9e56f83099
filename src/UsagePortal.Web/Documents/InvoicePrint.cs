using System.Net;
using System.Text;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Web.Components.Shared;
using UsagePortal.Web.Formatting;

namespace UsagePortal.Web.Documents;

/// <summary>
/// An invoice as one self-contained HTML document (styles inline, no script, no external file): the print layout a
/// customer opens and prints, and the page Chromium prints to the PDF, so the paper, the PDF and the screen say the same
/// (lines, quantities and breakdowns come from <see cref="InvoiceText"/>, like the screen's).
/// </summary>
public static class InvoicePrint
{
    private const string Styles = """
        @page { size: A4; margin: 16mm 14mm; }
        * { box-sizing: border-box; }
        body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2330; margin: 0; padding: 24px; max-width: 860px; }
        @media print { body { padding: 0; } .no-print { display: none; } }
        header { display: flex; justify-content: space-between; gap: 24px; flex-wrap: wrap; border-bottom: 2px solid #3949ab; padding-bottom: 12px; margin-bottom: 16px; }
        h1 { font-size: 20pt; margin: 0; color: #3949ab; }
        .muted { color: #5f6475; }
        dl { display: grid; grid-template-columns: auto auto; gap: 2px 16px; margin: 0; }
        dt { color: #5f6475; } dd { margin: 0; text-align: right; }
        table { width: 100%; border-collapse: collapse; margin-top: 8px; }
        th, td { text-align: left; padding: 6px 4px; vertical-align: top; }
        thead th { border-bottom: 1px solid #9aa0b4; font-weight: 600; }
        tbody tr.line td { border-top: 1px solid #e2e4ec; }
        .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        table.breakdown { width: auto; margin: 2px 0 6px; font-size: 8.5pt; color: #5f6475; }
        table.breakdown th, table.breakdown td { padding: 1px 8px 1px 0; border: 0; }
        tfoot td { padding-top: 4px; } tfoot tr.total td { border-top: 2px solid #1f2330; font-weight: 700; font-size: 12pt; }
        .notice { border: 1px solid #f0b429; background: #fff8e1; padding: 8px 12px; margin-bottom: 12px; }
        footer { margin-top: 24px; font-size: 8.5pt; }
        a.button { display: inline-block; margin: 0 8px 16px 0; padding: 6px 12px; border: 1px solid #3949ab; color: #3949ab; text-decoration: none; border-radius: 4px; }
        """;

    /// <summary>The document for <paramref name="invoice"/> of <paramref name="customer"/>, in the customer's format.</summary>
    /// <param name="links">Whether to show the "download PDF" and "back" links above it (not in the PDF itself).</param>
    public static string Html(InvoiceDocument document, Customer customer, PortalFormat format, bool links)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(format);
        var invoice = document.Invoice;
        string Money(long minorUnits) => E(format.Money(minorUnits, invoice.Currency));
        var title = invoice.Number is { } number ? $"Invoice {number}" : "Draft invoice";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"").Append(E(format.Culture.Name)).Append("\"><head><meta charset=\"utf-8\"><title>")
            .Append(E(title)).Append(" · ").Append(E(customer.Name)).Append("</title><style>").Append(Styles).Append("</style></head><body>");
        if (links)
        {
            html.Append("<p class=\"no-print\"><a class=\"button\" href=\"/app/invoices/").Append(invoice.Id).Append("\">Back to the invoice</a>")
                .Append("<a class=\"button\" href=\"/app/invoices/").Append(invoice.Id).Append("/pdf\">Download PDF</a>")
                .Append("<span class=\"muted\">Print this page with your browser (Ctrl+P, ⌘P).</span></p>");
        }

        html.Append("<header><div><h1>").Append(E(title)).Append("</h1><div class=\"muted\">Billed to</div><div><strong>").Append(E(customer.Name))
            .Append("</strong></div><div class=\"muted\">").Append(E(customer.Email)).Append("</div></div><dl>")
            .Append("<dt>Status</dt><dd data-field=\"status\">").Append(E(InvoiceStatusBadge.LabelOf(invoice.Status))).Append("</dd>")
            .Append("<dt>Period</dt><dd>").Append(E(format.Period(invoice.PeriodStart, invoice.PeriodEnd))).Append("</dd>");
        if (invoice.FinalizedAt is { } issued)
        {
            html.Append("<dt>Issued</dt><dd>").Append(E(format.Date(issued))).Append("</dd>");
        }

        if (invoice.PaidAt is { } paid)
        {
            html.Append("<dt>Paid</dt><dd>").Append(E(format.Date(paid))).Append("</dd>");
        }

        if (invoice.VoidedAt is { } voided)
        {
            html.Append("<dt>Voided</dt><dd>").Append(E(format.Date(voided))).Append("</dd>");
        }

        html.Append("<dt>Total</dt><dd><strong>").Append(Money(invoice.Total)).Append("</strong></dd></dl></header>");
        if (invoice.Status == InvoiceStatuses.Draft)
        {
            html.Append("<div class=\"notice\"><strong>Draft, not final.</strong> Usage that still arrives is added until ")
                .Append(E(format.DateTime(invoice.FinalizesAt))).Append("; the amounts may change until then.</div>");
        }
        else if (invoice.Status == InvoiceStatuses.Void)
        {
            html.Append("<div class=\"notice\"><strong>Void.</strong> Nothing is owed on this invoice.")
                .Append(string.IsNullOrEmpty(invoice.VoidReason) ? "" : " Reason: " + E(invoice.VoidReason)).Append("</div>");
        }

        html.Append("<table><thead><tr><th>Description</th><th class=\"num\">Quantity</th><th class=\"num\">Amount</th></tr></thead><tbody>");
        foreach (var line in invoice.Lines.OrderBy(l => l.Position))
        {
            html.Append("<tr class=\"line\"><td>").Append(E(line.Description));
            var rows = InvoiceText.BreakdownRows(line.BreakdownJson);
            if (rows.Count > 0)
            {
                var columns = InvoiceText.Columns(rows);
                html.Append("<table class=\"breakdown\"><tr>");
                foreach (var column in columns)
                {
                    html.Append("<th>").Append(E(InvoiceText.Labels.GetValueOrDefault(column) ?? column)).Append("</th>");
                }

                html.Append("</tr>");
                foreach (var row in rows)
                {
                    html.Append("<tr>");
                    foreach (var column in columns)
                    {
                        var cell = row.FirstOrDefault(c => c.Name == column);
                        html.Append("<td>").Append(E(InvoiceText.Cell(format, column, cell.Name is null ? default : cell.Value))).Append("</td>");
                    }

                    html.Append("</tr>");
                }

                html.Append("</table>");
            }

            html.Append("</td><td class=\"num\">").Append(E(InvoiceText.Quantity(format, line.Kind, line.Quantity)))
                .Append("</td><td class=\"num\">").Append(Money(line.Amount)).Append("</td></tr>");
        }

        if (invoice.Lines.Count == 0)
        {
            html.Append("<tr class=\"line\"><td colspan=\"3\" class=\"muted\">No lines: nothing was billed for this period.</td></tr>");
        }

        html.Append("</tbody><tfoot>");
        Total(html, "Subtotal", Money(invoice.Subtotal));
        if (invoice.CreditsApplied != 0)
        {
            Total(html, "Credits applied", "−" + Money(invoice.CreditsApplied));
        }

        Total(html, $"Tax ({format.Percent(invoice.TaxRate)})", Money(invoice.Tax));
        html.Append("<tr class=\"total\"><td colspan=\"2\">Total</td><td class=\"num\">").Append(Money(invoice.Total)).Append("</td></tr></tfoot></table>");
        if (document.CreditNotes.Count > 0)
        {
            html.Append("<h2>Credit notes</h2><table><tbody>");
            foreach (var note in document.CreditNotes)
            {
                html.Append("<tr class=\"line\"><td><strong>").Append(E(note.Number)).Append("</strong> · ").Append(E(note.Reason)).Append(" <span class=\"muted\">")
                    .Append(E(format.Date(note.CreatedAt))).Append("</span></td><td class=\"num\">").Append(Money(note.Amount)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("<footer class=\"muted\">Amounts in ").Append(E(invoice.Currency)).Append("; breakdown amounts are exact, each line is their sum rounded once. Dates in ")
            .Append(E(format.ZoneLabel)).Append(".</footer></body></html>");
        return html.ToString();
    }

    private static void Total(StringBuilder html, string label, string amount) =>
        html.Append("<tr><td colspan=\"2\" class=\"num\">").Append(E(label)).Append("</td><td class=\"num\">").Append(amount).Append("</td></tr>");

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
