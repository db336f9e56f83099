using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain.Meters;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Budgets;

/// <summary>Whether a customer may keep using the operator's product, and why not.</summary>
/// <param name="Customer">The customer's externalId.</param>
/// <param name="Blocked">True while the customer's spend cap is reached in the current period.</param>
/// <param name="Reason">Why it is blocked, in a sentence; null when allowed.</param>
/// <param name="Cap">The cap as a decimal string, or null when none is set.</param>
/// <param name="Currency">The cap's currency.</param>
/// <param name="BlockedSince">When the cap was found reached.</param>
/// <param name="BlockedUntil">When the period ends and the cap starts over.</param>
public sealed record EntitlementAnswer(string Customer, bool Blocked, string? Reason, string? Cap, string Currency, DateTime? BlockedSince, DateTime? BlockedUntil);

/// <summary>
/// The entitlement answer, on the operator's hot path: from this node's <see cref="EntitlementCache"/>, else one indexed
/// read of the customer's budget row, whose state the evaluator keeps within a second of the event that crossed the cap
/// (<see cref="BudgetEvaluator"/>) and then makes every node forget.
/// </summary>
public sealed class EntitlementQuery(UsagePortalDbContext db, CustomerDirectory directory, EntitlementCache cache, TimeProvider clock)
{
    /// <summary>The answer for <paramref name="externalId"/>, or null when there is no such customer.</summary>
    public async Task<EntitlementAnswer?> GetAsync(string externalId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        if (!directory.TryGetValue(externalId, out var customerId))
        {
            customerId = await db.Customers.AsNoTracking().Where(c => c.ExternalId == externalId).Select(c => c.Id).FirstOrDefaultAsync(cancellationToken);
            if (customerId == 0)
            {
                return null;
            }

            directory.TryAdd(externalId, customerId);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (!cache.TryGet(customerId, now, out var state))
        {
            var stamp = cache.Stamp(customerId);
            var read = await (
                from customer in db.Customers.AsNoTracking()
                where customer.Id == customerId
                join budget in db.Budgets.AsNoTracking() on customer.Id equals budget.CustomerId into budgets
                from budget in budgets.DefaultIfEmpty()
                select new EntitlementState(customer.Currency, budget == null ? null : budget.Cap, budget == null ? null : budget.BlockedUntil, budget == null ? null : budget.BlockedSince))
                .FirstOrDefaultAsync(cancellationToken);
            if (read is null)
            {
                return null;
            }

            cache.Store(customerId, read, stamp, now);
            state = read;
        }

        var currency = Currency.FromCode(state.Currency);
        var cap = state.Cap is { } limit ? currency.FormatMinorUnits(limit) : null;
        if (state.BlockedUntil is { } until && until > now && state.Cap is { } reached)
        {
            return new EntitlementAnswer(externalId, true,
                $"The spend cap of {currency.FormatMinorUnits(reached)} {currency.Code} is reached for the billing period ending {until:yyyy-MM-dd'T'HH:mm:ss'Z'}; usage is still recorded but not billed past the cap.",
                cap, currency.Code, state.BlockedSince, until);
        }

        return new EntitlementAnswer(externalId, false, null, cap, currency.Code, null, null);
    }
}
