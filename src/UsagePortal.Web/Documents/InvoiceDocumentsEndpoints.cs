using System.Text;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Web.Formatting;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Documents;

/// <summary>
/// An organisation's own invoice as a print layout, a PDF and a CSV, for its signed-in users. Scoped by organisation:
/// another organisation's invoice answers 404, exactly as one that does not exist.
/// </summary>
public static class InvoiceDocumentsEndpoints
{
    public static IEndpointRouteBuilder MapInvoiceDocuments(this IEndpointRouteBuilder app)
    {
        var invoices = app.MapGroup("/app/invoices/{invoiceId:long}").RequireAuthorization(policy => policy.RequireRole(Roles.CustomerOwner, Roles.CustomerMember));
        invoices.MapGet("/print", async (long invoiceId, HttpContext http, InvoiceQueries queries, CancellationToken cancellationToken) =>
            await FindAsync(invoiceId, http, queries, cancellationToken) is { } details
                ? Results.Content(InvoicePrint.Html(details.Document, details.Customer, PortalFormat.For(details.Customer), links: true), "text/html; charset=utf-8")
                : Results.NotFound());
        invoices.MapGet("/pdf", async (long invoiceId, HttpContext http, InvoiceQueries queries, PdfRenderer pdf, CancellationToken cancellationToken) =>
        {
            if (await FindAsync(invoiceId, http, queries, cancellationToken) is not { } details)
            {
                return Results.NotFound();
            }

            var bytes = await pdf.RenderAsync(InvoicePrint.Html(details.Document, details.Customer, PortalFormat.For(details.Customer), links: false), cancellationToken);
            return Results.File(bytes, "application/pdf", $"{FileName(details)}.pdf");
        });
        invoices.MapGet("/csv", async (long invoiceId, HttpContext http, InvoiceQueries queries, CancellationToken cancellationToken) =>
            await FindAsync(invoiceId, http, queries, cancellationToken) is { } details
                ? Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(InvoiceCsv.Write(details.Invoice))).ToArray(), "text/csv; charset=utf-8", $"{FileName(details)}.csv")
                : Results.NotFound());
        return app;
    }

    private static Task<InvoiceDetails?> FindAsync(long invoiceId, HttpContext http, InvoiceQueries queries, CancellationToken cancellationToken) =>
        queries.FindAsync(invoiceId, http.User.RequireCustomerId(), cancellationToken);

    private static string FileName(InvoiceDetails details) => details.Invoice.Number ?? $"draft-{details.Invoice.PeriodStart:yyyy-MM-dd}";
}
