using System.Globalization;
using System.Net.Mail;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Budgets;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Storage;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Budgets;

/// <summary>One threshold as a form or the API gives it: a percentage of the budget or an absolute amount, on a basis.</summary>
/// <param name="Id">The stored threshold it was read from, or null for a new one.</param>
/// <param name="Percent">"80", "120.5": a percentage of the budget; null or empty when <paramref name="Amount"/> is given.</param>
/// <param name="Amount">"250.00" in the customer's currency; null or empty when <paramref name="Percent"/> is given.</param>
/// <param name="Basis"><see cref="SpendBases.Actual"/> or <see cref="SpendBases.Projected"/>.</param>
public sealed record ThresholdInput(int? Id, string? Percent, string? Amount, string Basis);

/// <summary>A customer's budget settings as a form gives them; amounts are decimal texts in the customer's currency ("" for none).</summary>
public sealed record BudgetInput(string? Amount, string? Cap, string? EmailRecipients, string? WebhookUrl, IReadOnlyList<ThresholdInput> Thresholds);

/// <summary>A customer's budget settings as stored (the webhook secret never leaves: only whether there is one).</summary>
public sealed record BudgetSettings(
    Currency Currency,
    long? Amount,
    long? Cap,
    IReadOnlyList<string> EmailRecipients,
    string? WebhookUrl,
    bool HasWebhookSecret,
    IReadOnlyList<BudgetThreshold> Thresholds,
    DateTime? BlockedUntil,
    DateTime? BlockedSince,
    DateTime? UpdatedAt)
{
    /// <summary>Whether the cap is reached and holds at <paramref name="now"/>: billing stops and the entitlement answers blocked.</summary>
    public bool CapInForce(DateTime now) => Cap is not null && BlockedUntil is { } until && until > now;
}

/// <summary>
/// A customer's budget, thresholds, cap and alert channels. Only the customer's owners change them (the pages and the
/// API check the role; this service checks the input). A save re-evaluates the customer at once (<see cref="BudgetWatch"/>),
/// so a cap lowered below the spend blocks within the second.
/// </summary>
public sealed class BudgetService(UsagePortalDbContext db, TimeProvider clock, IDataProtectionProvider protection, BudgetWatch watch, EntitlementCache entitlements, IDatabaseDialect dialect)
{
    public const int MaxThresholds = 20;
    public const int MaxRecipients = 10;
    public const decimal MaxPercent = 1000m;

    /// <summary>The purpose string of the data protector that encrypts webhook secrets.</summary>
    internal const string SecretPurpose = "UsagePortal.Budgets.WebhookSecret";

    public async Task<BudgetSettings> GetAsync(int customerId, CancellationToken cancellationToken = default)
    {
        var currency = await CurrencyOfAsync(customerId, cancellationToken);
        var budget = await db.Budgets.AsNoTracking().Include(b => b.Thresholds).SingleOrDefaultAsync(b => b.CustomerId == customerId, cancellationToken);
        return budget is null
            ? new BudgetSettings(currency, null, null, [], null, false, [], null, null, null)
            : new BudgetSettings(currency, budget.Amount, budget.Cap, Recipients(budget.EmailRecipients), budget.WebhookUrl, budget.WebhookSecret is not null,
                [.. budget.Thresholds.OrderBy(t => t.Percent is null).ThenBy(t => t.Percent).ThenBy(t => t.Amount).ThenBy(t => t.Id)],
                budget.BlockedUntil, budget.BlockedSince, budget.UpdatedAt);
    }

    /// <summary>The budget and cap of <paramref name="customerId"/> (nulls when unset), for the dashboard.</summary>
    public async Task<(long? Budget, long? Cap)> LimitsAsync(int customerId, CancellationToken cancellationToken = default)
    {
        var limits = await db.Budgets.AsNoTracking().Where(b => b.CustomerId == customerId).Select(b => new { b.Amount, b.Cap }).FirstOrDefaultAsync(cancellationToken);
        return (limits?.Amount, limits?.Cap);
    }

    /// <summary>
    /// Saves the settings; answers them, or every field that is wrong (nothing stored). A threshold kept unchanged keeps
    /// its id (and so does not fire again this period); a changed one is a new threshold.
    /// </summary>
    public async Task<Result<BudgetSettings>> SaveAsync(int customerId, BudgetInput input, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var currency = await CurrencyOfAsync(customerId, cancellationToken);
        var errors = new List<FieldError>();
        var amount = OptionalAmount(input.Amount, currency, "amount", errors);
        var cap = OptionalAmount(input.Cap, currency, "cap", errors);
        var recipients = ParseRecipients(input.EmailRecipients, errors);
        var url = ParseWebhookUrl(input.WebhookUrl, errors);
        var thresholds = ParseThresholds(input.Thresholds, currency, amount, errors);
        if (errors.Count > 0)
        {
            return Result<BudgetSettings>.Invalid(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var budget = await db.Budgets.Include(b => b.Thresholds).SingleOrDefaultAsync(b => b.CustomerId == customerId, cancellationToken);
        var before = budget is null ? null : StateOf(budget, currency);
        if (budget is null)
        {
            budget = new Budget { CustomerId = customerId };
            db.Budgets.Add(budget);
        }

        budget.Amount = amount;
        budget.Cap = cap;
        budget.EmailRecipients = string.Join(", ", recipients);
        budget.WebhookUrl = url;
        if (url is null)
        {
            budget.WebhookSecret = null;
        }

        budget.UpdatedAt = now;
        var kept = new HashSet<int>();
        foreach (var wanted in thresholds)
        {
            var same = budget.Thresholds.FirstOrDefault(t => t.Id == wanted.Id && t.Percent == wanted.Percent && t.Amount == wanted.Amount && t.Basis == wanted.Basis && !kept.Contains(t.Id));
            if (same is not null)
            {
                kept.Add(same.Id);
                continue;
            }

            budget.Thresholds.Add(new BudgetThreshold { CustomerId = customerId, Percent = wanted.Percent, Amount = wanted.Amount, Basis = wanted.Basis, CreatedAt = now });
        }

        foreach (var gone in budget.Thresholds.Where(t => t.Id != 0 && !kept.Contains(t.Id)).ToList())
        {
            budget.Thresholds.Remove(gone);
            db.BudgetThresholds.Remove(gone);
        }

        db.Audit(clock, actor, "budget.updated", $"customer:{customerId}", AuditChange.Of(before, StateOf(budget, currency)),
            $"budget {Describe(currency, amount)}, cap {Describe(currency, cap)}, {thresholds.Count} threshold(s), {recipients.Count} e-mail recipient(s), webhook {(url is null ? "none" : url)}", customerId);
        await db.SaveChangesAsync(cancellationToken);
        // The cap may have changed: every node reads the entitlement again, and the evaluator looks at once.
        await BudgetEvaluator.EntitlementChangedAsync(entitlements, dialect, db, customerId, cancellationToken);
        watch.Changed([customerId]);
        return Result<BudgetSettings>.Ok(await GetAsync(customerId, cancellationToken));
    }

    /// <summary>
    /// Makes a new webhook signing secret and answers it: the only time it is shown. The old one stops signing at once.
    /// Refused when no webhook URL is set.
    /// </summary>
    public async Task<Result<string>> RotateWebhookSecretAsync(int customerId, string actor, CancellationToken cancellationToken = default)
    {
        var budget = await db.Budgets.SingleOrDefaultAsync(b => b.CustomerId == customerId, cancellationToken);
        if (budget?.WebhookUrl is null)
        {
            return Result<string>.Conflict("webhookUrl", "Save a webhook URL first; the secret signs what is sent there.");
        }

        var secret = WebhookSignature.NewSecret();
        // Never the secret in the log: only that there was one, and when the new one was made.
        var before = new AuditState { { "webhook secret", budget.WebhookSecret is null ? null : "set" } };
        budget.WebhookSecret = protection.CreateProtector(SecretPurpose).Protect(secret);
        budget.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        var after = new AuditState { { "webhook secret", $"new, made {AuditValues.Instant(budget.UpdatedAt)}" } };
        db.Audit(clock, actor, "budget.webhook_secret_created", $"customer:{customerId}", AuditChange.Of(before, after), "A new webhook signing secret was made; the previous one no longer signs.", customerId);
        await db.SaveChangesAsync(cancellationToken);
        return Result<string>.Ok(secret);
    }

    /// <summary>The recipients stored as one text, as a list.</summary>
    public static IReadOnlyList<string> Recipients(string stored) =>
        [.. (stored ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>A threshold's amount in minor units under a budget, or null when it is a percentage and no budget is set.</summary>
    public static long? LimitOf(BudgetThreshold threshold, long? budget, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        ArgumentNullException.ThrowIfNull(currency);
        if (threshold.Amount is { } amount)
        {
            return amount;
        }

        return threshold.Percent is { } percent && budget is { } whole
            ? currency.RoundToMinorUnits(currency.FromMinorUnits(whole) * percent / 100m)
            : null;
    }

    private async Task<Currency> CurrencyOfAsync(int customerId, CancellationToken cancellationToken)
    {
        var code = await db.Customers.AsNoTracking().Where(c => c.Id == customerId).Select(c => c.Currency).SingleOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException($"No customer {customerId}.");
        return Currency.FromCode(code);
    }

    /// <summary>
    /// A budget as the audit log records it: amounts with their currency, thresholds as one field in the order the
    /// settings list them (so a threshold added or removed reads as a change of that one field).
    /// </summary>
    private static AuditState StateOf(Budget budget, Currency currency)
    {
        var thresholds = budget.Thresholds.OrderBy(t => t.Percent is null).ThenBy(t => t.Percent).ThenBy(t => t.Amount).ThenBy(t => t.Basis, StringComparer.Ordinal)
            .Select(t => (t.Percent is { } percent ? $"{Decimals.ToText(percent)} % of the budget" : Describe(currency, t.Amount)) + $" ({t.Basis})")
            .ToList();
        return new AuditState
        {
            { "budget", Describe(currency, budget.Amount) },
            { "cap", Describe(currency, budget.Cap) },
            { "thresholds", thresholds.Count == 0 ? "none" : string.Join("; ", thresholds) },
            { "e-mail recipients", string.IsNullOrEmpty(budget.EmailRecipients) ? "none" : budget.EmailRecipients },
            { "webhook", budget.WebhookUrl ?? "none" },
        };
    }

    private static string Describe(Currency currency, long? amount) => amount is { } value ? $"{currency.FormatMinorUnits(value)} {currency.Code}" : "none";

    private static long? OptionalAmount(string? text, Currency currency, string field, List<FieldError> errors) =>
        string.IsNullOrWhiteSpace(text) ? null : CreditService.ParseAmount(text, currency, field, errors);

    private static List<string> ParseRecipients(string? text, List<FieldError> errors)
    {
        var recipients = new List<string>();
        foreach (var part in (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!MailAddress.TryCreate(part, out var address) || address.Address != part || !part.Contains('.', StringComparison.Ordinal))
            {
                errors.Add(new FieldError("emailRecipients", $"'{part}' is not an e-mail address."));
            }
            else if (!recipients.Contains(part, StringComparer.OrdinalIgnoreCase))
            {
                recipients.Add(part);
            }
        }

        if (recipients.Count > MaxRecipients)
        {
            errors.Add(new FieldError("emailRecipients", $"At most {MaxRecipients} e-mail recipients."));
        }

        return recipients;
    }

    private static string? ParseWebhookUrl(string? text, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || trimmed.Length > 2000)
        {
            errors.Add(new FieldError("webhookUrl", "webhookUrl must be an absolute https:// address."));
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            errors.Add(new FieldError("webhookUrl", "webhookUrl must use https:// (plain http is accepted for localhost only)."));
            return null;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add(new FieldError("webhookUrl", "webhookUrl must not carry a user name or password; the signature authenticates the sender."));
            return null;
        }

        return trimmed;
    }

    private static List<(int? Id, decimal? Percent, long? Amount, string Basis)> ParseThresholds(IReadOnlyList<ThresholdInput>? inputs, Currency currency, long? budget, List<FieldError> errors)
    {
        var thresholds = new List<(int?, decimal?, long?, string)>();
        inputs ??= [];
        if (inputs.Count > MaxThresholds)
        {
            errors.Add(new FieldError("thresholds", $"At most {MaxThresholds} thresholds."));
            return thresholds;
        }

        for (var index = 0; index < inputs.Count; index++)
        {
            var input = inputs[index];
            var field = $"thresholds[{index}]";
            if (input.Basis is not (SpendBases.Actual or SpendBases.Projected))
            {
                errors.Add(new FieldError($"{field}.basis", $"basis must be '{SpendBases.Actual}' or '{SpendBases.Projected}'.", index));
            }

            var hasPercent = !string.IsNullOrWhiteSpace(input.Percent);
            var hasAmount = !string.IsNullOrWhiteSpace(input.Amount);
            if (hasPercent == hasAmount)
            {
                errors.Add(new FieldError(field, "Give either a percentage of the budget or an amount.", index));
                continue;
            }

            if (hasAmount)
            {
                var amount = CreditService.ParseAmount(input.Amount, currency, $"{field}.amount", errors);
                thresholds.Add((input.Id, null, amount, input.Basis));
                continue;
            }

            if (!decimal.TryParse(input.Percent!.Trim().TrimEnd('%'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent)
                || percent <= 0 || percent > MaxPercent || percent != Math.Round(percent, 2))
            {
                errors.Add(new FieldError($"{field}.percent", $"percent must be a number above 0 and at most {MaxPercent.ToString(CultureInfo.InvariantCulture)} (above 100 is allowed), with at most two decimals.", index));
                continue;
            }

            if (budget is null)
            {
                errors.Add(new FieldError($"{field}.percent", "A percentage threshold needs a budget; set the budget or give an amount.", index));
                continue;
            }

            thresholds.Add((input.Id, percent, null, input.Basis));
        }

        return thresholds;
    }
}
