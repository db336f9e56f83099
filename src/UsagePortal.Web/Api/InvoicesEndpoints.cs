using System.Globalization;
using System.Text.Json;
using UsagePortal.Data.Billing;
using UsagePortal.Domain;
using UsagePortal.Domain.Invoicing;

namespace UsagePortal.Web.Api;

public static class InvoicesEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    private static readonly IReadOnlyList<string> Statuses = InvoiceStateMachine.All;

    public static RouteGroupBuilder MapInvoicesEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/invoices", ListAsync)
            .WithName("ListInvoices")
            .WithSummary("Invoices, newest period first; of one customer with ?customer=externalId, of one status with ?status=.")
            .Produces<List<InvoiceAnswer>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Ids are matched as text (no route constraint), so that a malformed id answers like an unknown one.
        api.MapGet("/invoices/{id}", GetAsync)
            .WithName("GetInvoice")
            .Produces<InvoiceAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/invoices/{id}/finalize", FinalizeAsync)
            .WithName("FinalizeInvoice")
            .WithSummary("Finalize a draft now, ending its grace period early: lines recomputed, credit applied, number given.")
            .Produces<InvoiceAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/invoices/{id}/void", VoidAsync)
            .WithName("VoidInvoice")
            .WithSummary("Void a finalized, unpaid invoice: { reason }. The credit it consumed goes back to the customer.")
            .Produces<InvoiceAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/invoices/{id}/credit-notes", CreditNoteAsync)
            .WithName("IssueCreditNote")
            .WithSummary("Issue a credit note on a finalized invoice: { amount, reason }. The amount becomes credit for the customer's next invoices.")
            .Produces<InvoiceAnswer>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<IResult> ListAsync(string? customer, string? status, string? limit, InvoiceQueries invoices, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            errors.Add(new FieldError("status", $"status must be one of {string.Join(", ", Statuses)}."));
        }

        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take < 1 || take > MaxLimit))
        {
            errors.Add(new FieldError("limit", $"limit must be a whole number from 1 to {MaxLimit}."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation("The invoice query is not valid.", errors);
        }

        var documents = await invoices.DocumentsAsync(customer, status, take, cancellationToken);
        return documents is null
            ? Problems.NotFound($"No customer has externalId '{customer}'.")
            : TypedResults.Ok(documents.Select(InvoiceAnswers.From).ToList());
    }

    private static async Task<IResult> GetAsync(string id, InvoiceQueries invoices, CancellationToken cancellationToken) =>
        ParseId(id) is { } invoiceId && await invoices.DocumentAsync(invoiceId, cancellationToken) is { } document
            ? TypedResults.Ok(InvoiceAnswers.From(document))
            : InvoiceNotFound(id);

    private static async Task<IResult> FinalizeAsync(string id, HttpRequest request, InvoiceFinalization finalization, InvoiceQueries invoices, CancellationToken cancellationToken)
    {
        if (ParseId(id) is not { } invoiceId || (await invoices.DocumentAsync(invoiceId, cancellationToken))?.Invoice is not { } invoice)
        {
            return InvoiceNotFound(id);
        }

        // The console's service, not the invoicer directly: an early finalization through the API is audited with its key.
        var result = await finalization.FinalizeNowAsync(invoiceId, ApiKeys.Actor(request), cancellationToken);
        if (!result.Succeeded)
        {
            return invoice.Status == InvoiceStatuses.Draft
                ? Problems.For(result, "The invoice was not finalized.")
                : Problems.Create(StatusCodes.Status409Conflict, "Conflict", "The invoice is not a draft.",
                    [new FieldError("status", $"Invoice {invoice.Number ?? id} is {invoice.Status}; only a draft can be finalized, and a finalized invoice never changes.")]);
        }

        return TypedResults.Ok(InvoiceAnswers.From((await invoices.DocumentAsync(invoiceId, cancellationToken))!));
    }

    private sealed record VoidRequest(string? Reason);

    private static async Task<IResult> VoidAsync(string id, HttpRequest request, InvoiceCorrections corrections, InvoiceQueries invoices, CancellationToken cancellationToken)
    {
        if (ParseId(id) is not { } invoiceId)
        {
            return InvoiceNotFound(id);
        }

        var (body, problem) = await ApiJson.ReadAsync<VoidRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var result = await corrections.VoidAsync(invoiceId, body!.Reason, ApiKeys.Actor(request), cancellationToken);
        return result.Succeeded
            ? TypedResults.Ok(InvoiceAnswers.From((await invoices.DocumentAsync(invoiceId, cancellationToken))!))
            : Problems.For(result, "The invoice was not voided.");
    }

    private static async Task<IResult> CreditNoteAsync(string id, HttpRequest request, InvoiceCorrections corrections, InvoiceQueries invoices, CancellationToken cancellationToken)
    {
        if (ParseId(id) is not { } invoiceId)
        {
            return InvoiceNotFound(id);
        }

        var (body, problem) = await ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (body)
        {
            var errors = new List<FieldError>();
            var amount = DecimalText(body!.RootElement, "amount", errors);
            var reason = Text(body.RootElement, "reason", errors);
            if (errors.Count > 0)
            {
                return Problems.Validation("The credit note is not valid; nothing was issued.", errors);
            }

            var result = await corrections.IssueCreditNoteAsync(invoiceId, amount, reason, ApiKeys.Actor(request), cancellationToken);
            if (!result.Succeeded)
            {
                return Problems.For(result, "The credit note is not valid; nothing was issued.");
            }

            var answer = InvoiceAnswers.From((await invoices.DocumentAsync(invoiceId, cancellationToken))!);
            return TypedResults.Created($"/api/v1/invoices/{invoiceId}", answer);
        }
    }

    /// <summary>Reads a JSON object body (decimals may then be strings or numbers), or a problem.</summary>
    internal static async Task<(JsonDocument? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (document, problem) = await ApiJson.ReadDocumentAsync(request, cancellationToken);
        if (document is not null && document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Problems.Validation("The body is not a JSON object.", [new FieldError("body", "Send a JSON object.")]));
        }

        return (document, problem);
    }

    /// <summary>A decimal given as a JSON string or number, as its text (the services parse it); null when absent.</summary>
    internal static string? DecimalText(JsonElement body, string name, List<FieldError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.Number:
                return value.GetRawText();
            default:
                errors.Add(new FieldError(name, $"{name} must be a decimal, as a string (\"25.50\") or a number."));
                return null;
        }
    }

    /// <summary>A string property; null when absent.</summary>
    internal static string? Text(JsonElement body, string name, List<FieldError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new FieldError(name, $"{name} must be a string."));
            return null;
        }

        return value.GetString();
    }


    private static long? ParseId(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    private static IResult InvoiceNotFound(string id) => Problems.NotFound($"No invoice has id '{id}'.");
}
