using System.Globalization;
using System.Text.Json;
using UsagePortal.Data.Billing;
using UsagePortal.Domain;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Customers;
using UsagePortal.Pricing;

namespace UsagePortal.Web.Api;

public static class CreditsEndpoints
{
    public sealed record CreditGrantAnswer(int Id, string Amount, string Remaining, string Currency, string Reason, DateTimeOffset? ExpiresAt, bool Expired, DateTimeOffset CreatedAt);

    public sealed record CreditLedgerAnswer(long Id, int Grant, string Kind, string Amount, string BalanceAfter, long? InvoiceId, string? InvoiceNumber, DateTimeOffset At, string Note);

    public sealed record CreditsAnswer(string Customer, string Currency, string Balance, IReadOnlyList<CreditGrantAnswer> Grants, IReadOnlyList<CreditLedgerAnswer> Ledger);

    public static RouteGroupBuilder MapCreditsEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/customers/{externalId}/credits", GrantAsync)
            .WithName("GrantCredit")
            .WithSummary("Grant credit to a customer: { amount, reason, expiresAt? }, in the customer's currency.")
            .Produces<CreditGrantAnswer>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/customers/{externalId}/credits", GetAsync)
            .WithName("GetCredits")
            .WithSummary("A customer's credit balance, its grants, and its ledger of every movement, newest first.")
            .Produces<CreditsAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> GrantAsync(string externalId, HttpRequest request, CustomerService customers, CreditService credits, TimeProvider clock, CancellationToken cancellationToken)
    {
        var customerId = await customers.IdOfAsync(externalId, cancellationToken);
        if (customerId is null)
        {
            return Problems.NotFound($"No customer has externalId '{externalId}'.");
        }

        var (body, problem) = await InvoicesEndpoints.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (body)
        {
            var errors = new List<FieldError>();
            var amount = InvoicesEndpoints.DecimalText(body!.RootElement, "amount", errors);
            var reason = InvoicesEndpoints.Text(body.RootElement, "reason", errors);
            var expiresAt = ParseTime(InvoicesEndpoints.Text(body.RootElement, "expiresAt", errors), "expiresAt", errors);
            if (errors.Count > 0)
            {
                return Problems.Validation("The credit grant is not valid; nothing was granted.", errors);
            }

            var (grant, invalid) = await credits.GrantAsync(customerId.Value, amount, reason, expiresAt, ApiKeys.Actor(request), cancellationToken);
            if (grant is null)
            {
                return Problems.Validation("The credit grant is not valid; nothing was granted.", invalid);
            }

            return TypedResults.Created($"/api/v1/customers/{Uri.EscapeDataString(externalId)}/credits", Answer(grant, clock.GetUtcNow().UtcDateTime));
        }
    }

    private static async Task<IResult> GetAsync(string externalId, CustomerService customers, CreditService credits, TimeProvider clock, CancellationToken cancellationToken)
    {
        var customerId = await customers.IdOfAsync(externalId, cancellationToken);
        if (customerId is null)
        {
            return Problems.NotFound($"No customer has externalId '{externalId}'.");
        }

        var statement = await credits.GetAsync(customerId.Value, cancellationToken);
        var invoiceIds = statement.Ledger.Where(e => e.InvoiceId is not null).Select(e => e.InvoiceId!.Value).Distinct().ToList();
        var numbers = await credits.InvoiceNumbersAsync(customerId.Value, invoiceIds, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var currency = statement.Currency;
        return TypedResults.Ok(new CreditsAnswer(
            externalId,
            currency.Code,
            currency.FormatMinorUnits(statement.Balance),
            statement.Grants.Select(g => Answer(g, now)).ToList(),
            statement.Ledger.Select(e => new CreditLedgerAnswer(
                e.Id, e.CreditGrantId, e.Kind, currency.FormatMinorUnits(e.Amount), currency.FormatMinorUnits(e.BalanceAfter), e.InvoiceId,
                e.InvoiceId is { } invoiceId ? numbers.GetValueOrDefault(invoiceId) : null, Utc(e.At), e.Note)).ToList()));
    }

    private static CreditGrantAnswer Answer(CreditGrant grant, DateTime now)
    {
        var currency = Currency.FromCode(grant.Currency);
        return new CreditGrantAnswer(grant.Id, currency.FormatMinorUnits(grant.Amount), currency.FormatMinorUnits(grant.Remaining), currency.Code, grant.Reason,
            grant.ExpiresAt is { } expiresAt ? Utc(expiresAt) : null, grant.ExpiresAt <= now, Utc(grant.CreatedAt));
    }

    /// <summary>An RFC 3339 time with an offset, such as 2027-01-01T00:00:00Z; null when absent.</summary>
    private static DateTime? ParseTime(string? value, string field, List<FieldError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > 19 && (value.EndsWith('Z') || value.EndsWith('z') || value[^6] is '+' or '-')
            && DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return parsed.UtcDateTime;
        }

        errors.Add(new FieldError(field, $"{field} must be an RFC 3339 time with an offset, such as 2027-01-01T00:00:00Z."));
        return null;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
}
