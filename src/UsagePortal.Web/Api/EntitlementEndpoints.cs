using UsagePortal.Domain.Budgets;

namespace UsagePortal.Web.Api;

public static class EntitlementEndpoints
{
    public static RouteGroupBuilder MapEntitlementEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/customers/{externalId}/entitlement", GetAsync)
            .WithName("GetCustomerEntitlement")
            .WithSummary("Whether the customer may keep using the product: `blocked` while its spend cap is reached in the current billing period, with the reason; `allowed` otherwise.")
            .WithDescription("Meant for the operator's hot path: one indexed read. The answer follows the event that crossed the cap within a second. Usage sent while blocked is still recorded; it is not billed past the cap. Raising or removing the cap, or the period's end, answers `allowed` again.")
            .Produces<EntitlementResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>The entitlement answer.</summary>
    /// <param name="Customer">The customer's externalId.</param>
    /// <param name="Status"><c>allowed</c> or <c>blocked</c>.</param>
    /// <param name="Reason">Why it is blocked; null when allowed.</param>
    /// <param name="Cap">The spend cap as a decimal string in <paramref name="Currency"/>; null when none is set.</param>
    /// <param name="Currency">ISO 4217.</param>
    /// <param name="BlockedSince">When the cap was found reached; null when allowed.</param>
    /// <param name="BlockedUntil">When the billing period ends and spend starts over; null when allowed.</param>
    public sealed record EntitlementResponse(string Customer, string Status, string? Reason, string? Cap, string Currency, DateTimeOffset? BlockedSince, DateTimeOffset? BlockedUntil);

    private static async Task<IResult> GetAsync(string externalId, EntitlementQuery query, CancellationToken cancellationToken)
    {
        var answer = await query.GetAsync(externalId, cancellationToken);
        if (answer is null)
        {
            return Problems.NotFound($"No customer has the externalId '{externalId}'.");
        }

        return TypedResults.Ok(new EntitlementResponse(answer.Customer, answer.Blocked ? "blocked" : "allowed", answer.Reason, answer.Cap, answer.Currency,
            Utc(answer.BlockedSince), Utc(answer.BlockedUntil)));

        static DateTimeOffset? Utc(DateTime? value) => value is { } utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : null;
    }
}
