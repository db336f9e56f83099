using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Outbox;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Email;
using UsagePortal.Domain.Outbox;
using UsagePortal.Domain.Storage;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Budgets;

/// <summary>Alert types, as webhooks and the delivery log name them.</summary>
public static class AlertTypes
{
    public const string ThresholdReached = "budget.threshold_reached";
    public const string CapReached = "budget.cap_reached";
}

/// <summary>Delivery channels.</summary>
public static class AlertChannels
{
    public const string Portal = "portal";
    public const string Email = "email";
    public const string Webhook = "webhook";
}

/// <summary>
/// Compares a customer's spend with its thresholds and cap, and acts: records the cap's state for the entitlement
/// answer, and fires each crossed threshold once per period. Firing is one transaction: the alert (whose unique index on
/// customer, key and period start refuses a second one, from this node or any other), its in-portal notification, and
/// the e-mail and webhook as outbox messages, which the outbox delivers with retries and backoff.
/// </summary>
public sealed class BudgetEvaluator(
    UsagePortalDbContext db,
    CostQuery costs,
    EmailOutbox email,
    OutboxSignal outbox,
    IPublicLinks links,
    IDatabaseDialect dialect,
    BudgetWatch watch,
    EntitlementCache entitlements,
    TimeProvider clock,
    ILogger<BudgetEvaluator> logger)
{
    /// <summary>Evaluates every customer that has a threshold or a cap, or is blocked.</summary>
    public async Task EvaluateAllAsync(CancellationToken cancellationToken = default)
    {
        var ids = await db.Budgets.AsNoTracking()
            .Where(b => b.Cap != null || b.BlockedUntil != null || b.Thresholds.Any())
            .OrderBy(b => b.CustomerId)
            .Select(b => b.CustomerId)
            .ToListAsync(cancellationToken);
        await EvaluateEachAsync(ids, cancellationToken);
    }

    /// <summary>Evaluates those of <paramref name="customerIds"/> that have a threshold or a cap, or are blocked.</summary>
    public async Task EvaluateAsync(IReadOnlyCollection<int> customerIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        if (customerIds.Count == 0)
        {
            return;
        }

        var ids = new List<int>();
        foreach (var chunk in customerIds.Chunk(500))
        {
            ids.AddRange(await db.Budgets.AsNoTracking()
                .Where(b => chunk.Contains(b.CustomerId) && (b.Cap != null || b.BlockedUntil != null || b.Thresholds.Any()))
                .Select(b => b.CustomerId)
                .ToListAsync(cancellationToken));
        }

        ids.Sort();
        await EvaluateEachAsync(ids, cancellationToken);
    }

    private async Task EvaluateEachAsync(List<int> ids, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            try
            {
                await EvaluateOneAsync(id, cancellationToken);
                watch.OnEvaluated(id);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // One customer's failure holds back no other; the next change or sweep tries it again.
                logger.LogError(exception, "Evaluating the budget of customer {Customer} failed.", id);
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Evaluates one customer now; answers how many alerts it fired.</summary>
    public async Task<int> EvaluateOneAsync(int customerId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var budget = await db.Budgets.AsNoTracking().Include(b => b.Thresholds).SingleOrDefaultAsync(b => b.CustomerId == customerId, cancellationToken);
        if (budget is null)
        {
            return 0;
        }

        var spend = await costs.SpendAsync(customerId, now, cancellationToken);
        if (spend is null)
        {
            await SetBlockedAsync(budget, null, now, cancellationToken);
            return 0;
        }

        var period = spend.Period;
        var fired = (await db.AlertFirings.AsNoTracking()
            .Where(f => f.CustomerId == customerId && f.PeriodStart == period.Start)
            .Select(f => f.Key)
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var count = 0;
        var currency = spend.Currency;
        if (budget.Cap is { } cap && spend.Actual >= cap)
        {
            // The entitlement first: it is what the operator's product asks on its hot path.
            await SetBlockedAsync(budget, period.End, now, cancellationToken);
            var key = $"cap:{cap.ToString(CultureInfo.InvariantCulture)}";
            if (!fired.Contains(key))
            {
                var message = $"Spend reached your cap of {Money(currency, cap)}: usage past it is still recorded but not billed, and the service may stop until {period.End:yyyy-MM-dd HH:mm} UTC.";
                count += await FireAsync(budget, spend, key, AlertTypes.CapReached, SpendBases.Actual, null, cap, spend.Actual, message, cancellationToken) ? 1 : 0;
            }
        }
        else
        {
            await SetBlockedAsync(budget, null, now, cancellationToken);
        }

        foreach (var threshold in budget.Thresholds.OrderBy(t => t.Id))
        {
            var key = $"threshold:{threshold.Id.ToString(CultureInfo.InvariantCulture)}";
            var limit = BudgetService.LimitOf(threshold, budget.Amount, currency);
            var value = threshold.Basis == SpendBases.Projected ? spend.Projected : spend.Actual;
            if (limit is not { } reached || value < reached || fired.Contains(key))
            {
                continue;
            }

            var what = threshold.Basis == SpendBases.Projected ? "Projected spend for this period" : "Spend this period";
            var of = threshold.Percent is { } percent
                ? $"{percent.ToString("0.##", CultureInfo.InvariantCulture)} % of your {Money(currency, budget.Amount ?? 0)} budget ({Money(currency, reached)})"
                : Money(currency, reached);
            var message = $"{what} is {Money(currency, value)}, past {of}.";
            count += await FireAsync(budget, spend, key, AlertTypes.ThresholdReached, threshold.Basis, threshold, reached, value, message, cancellationToken) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Every node forgets the customer's entitlement: this one at once, the others on the NOTIFY (PostgreSQL).</summary>
    internal static async Task EntitlementChangedAsync(EntitlementCache cache, IDatabaseDialect dialect, UsagePortalDbContext db, int customerId, CancellationToken cancellationToken)
    {
        cache.Forget(customerId);
        await dialect.AnnounceChangeAsync(db, EntitlementCache.PostgresChannel, customerId.ToString(CultureInfo.InvariantCulture), cancellationToken);
    }

    private static string Money(Currency currency, long minorUnits) => $"{currency.FormatMinorUnits(minorUnits)} {currency.Code}";

    /// <summary>Records whether the cap holds until <paramref name="until"/> (null: not reached); a no-op when it already says so.</summary>
    private async Task SetBlockedAsync(Budget budget, DateTime? until, DateTime now, CancellationToken cancellationToken)
    {
        if (budget.BlockedUntil == until)
        {
            return;
        }

        await db.Budgets.Where(b => b.CustomerId == budget.CustomerId && b.BlockedUntil != until)
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.BlockedUntil, until).SetProperty(b => b.BlockedSince, until is null ? null : now), cancellationToken);
        budget.BlockedUntil = until;
        await EntitlementChangedAsync(entitlements, dialect, db, budget.CustomerId, cancellationToken);
    }

    /// <summary>Fires one alert in one transaction; false when it had fired already (here or on another node).</summary>
    private async Task<bool> FireAsync(Budget budget, PeriodSpend spend, string key, string type, string basis, BudgetThreshold? threshold, long limit, long value, string message, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var customer = await db.Customers.AsNoTracking().Where(c => c.Id == budget.CustomerId).Select(c => new { c.ExternalId, c.Name }).SingleAsync(cancellationToken);
        var firing = new AlertFiring
        {
            CustomerId = budget.CustomerId,
            Key = key,
            Type = type,
            Basis = basis,
            PeriodStart = spend.Period.Start,
            PeriodEnd = spend.Period.End,
            FiredAt = now,
            Spend = value,
            Limit = limit,
            Currency = spend.Currency.Code,
            Message = message.Length > 500 ? message[..500] : message,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.AlertFirings.Add(firing);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (dialect.IsUniqueViolation(exception))
        {
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return false;
        }

        db.AlertDeliveries.Add(new AlertDelivery { Id = Guid.CreateVersion7(), AlertFiringId = firing.Id, CustomerId = budget.CustomerId, Channel = AlertChannels.Portal });
        var subject = type == AlertTypes.CapReached ? "Spend cap reached" : "Budget alert";
        var link = links.Link("app/budgets", new Dictionary<string, string?>());
        foreach (var recipient in BudgetService.Recipients(budget.EmailRecipients))
        {
            var html = $"<p>{WebUtility.HtmlEncode(message)}</p><p>Organisation: {WebUtility.HtmlEncode(customer.Name)}. Period: {spend.Period.Start:yyyy-MM-dd} to {spend.Period.End:yyyy-MM-dd} (UTC).</p>"
                + $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">See your budget and alerts</a>.</p>";
            var queued = email.Enqueue(new EmailMessage(recipient, $"{subject}: {customer.Name}", html));
            db.AlertDeliveries.Add(new AlertDelivery { Id = queued.Id, AlertFiringId = firing.Id, CustomerId = budget.CustomerId, Channel = AlertChannels.Email, Target = recipient });
        }

        if (budget.WebhookUrl is { } url)
        {
            var id = Guid.CreateVersion7();
            var body = JsonSerializer.Serialize(new WebhookEvent(
                id.ToString(), type, new DateTimeOffset(now, TimeSpan.Zero), customer.ExternalId,
                new WebhookAlert(basis, threshold?.Percent?.ToString("0.##", CultureInfo.InvariantCulture), spend.Currency.FormatMinorUnits(limit),
                    spend.Currency.FormatMinorUnits(value), spend.Currency.Code,
                    new DateTimeOffset(spend.Period.Start, TimeSpan.Zero), new DateTimeOffset(spend.Period.End, TimeSpan.Zero), message)), WebhookJson.Options);
            db.OutboxMessages.Add(new OutboxMessage
            {
                Id = id,
                Kind = AlertWebhooks.Kind,
                Payload = JsonSerializer.Serialize(new WebhookPayload(budget.CustomerId, url, body)),
                CreatedAt = now,
                NextAttemptAt = now,
            });
            db.AlertDeliveries.Add(new AlertDelivery { Id = id, AlertFiringId = firing.Id, CustomerId = budget.CustomerId, Channel = AlertChannels.Webhook, Target = url });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.Notify();
        logger.LogInformation("Alert {Key} of customer {Customer} fired for the period starting {Start:O}.", key, budget.CustomerId, spend.Period.Start);
        return true;
    }
}

/// <summary>A webhook's body: the alert, as operators' code reads it.</summary>
/// <param name="Id">The delivery's id (also the <see cref="WebhookSignature.IdHeader"/> header): the same on retries.</param>
/// <param name="Type"><see cref="AlertTypes.ThresholdReached"/> or <see cref="AlertTypes.CapReached"/>.</param>
/// <param name="Created">When the alert fired.</param>
/// <param name="Customer">The customer's externalId.</param>
/// <param name="Data">The alert.</param>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset Created, string Customer, WebhookAlert Data);

/// <summary>What crossed what. Amounts are decimal strings in <paramref name="Currency"/>.</summary>
/// <param name="Basis"><c>actual</c> or <c>projected</c> spend (the cap is on actual spend).</param>
/// <param name="Percent">The threshold's percentage of the budget, or null for an absolute threshold and the cap.</param>
/// <param name="Limit">The threshold's or the cap's amount.</param>
/// <param name="Spend">The spend (actual or projected) when it fired.</param>
/// <param name="Currency">ISO 4217.</param>
/// <param name="PeriodStart">The billing period's start.</param>
/// <param name="PeriodEnd">The billing period's end (exclusive).</param>
/// <param name="Message">The same sentence the portal shows.</param>
public sealed record WebhookAlert(string Basis, string? Percent, string Limit, string Spend, string Currency, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Message);

/// <summary>What a webhook outbox message holds: whose secret signs it, where it goes, and the exact body.</summary>
public sealed record WebhookPayload(int CustomerId, string Url, string Body);

internal static class WebhookJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
