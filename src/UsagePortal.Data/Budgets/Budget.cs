namespace UsagePortal.Data.Budgets;

/// <summary>
/// A customer's spend controls for each billing period: a budget its alert thresholds may be a share of, a hard cap the
/// billing enforces, and where alerts go. One per customer; amounts in minor units of the customer's plan currency.
/// </summary>
public sealed class Budget
{
    /// <summary>The customer (also the key: one budget per customer).</summary>
    public int CustomerId { get; set; }

    /// <summary>The budget for each billing period; null when none is set (percentage thresholds then do not apply).</summary>
    public long? Amount { get; set; }

    /// <summary>The hard cap: spend past it is recorded but not billed, and the entitlement answers blocked. Null when none.</summary>
    public long? Cap { get; set; }

    /// <summary>Who gets alert e-mail, comma-separated; empty for none.</summary>
    public string EmailRecipients { get; set; } = "";

    /// <summary>Where signed alert webhooks go; null for none.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The webhook signing secret, encrypted with the app's data-protection keys; shown to the customer once.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>While in the future, the cap is reached: the entitlement answers blocked until then (the period's end).</summary>
    public DateTime? BlockedUntil { get; set; }

    /// <summary>When the cap was found reached (with <see cref="BlockedUntil"/>).</summary>
    public DateTime? BlockedSince { get; set; }

    public DateTime UpdatedAt { get; set; }

    public List<BudgetThreshold> Thresholds { get; set; } = [];
}

/// <summary>One alert threshold: a percentage of the budget (above 100 allowed) or an absolute amount, on actual or projected spend.</summary>
public sealed class BudgetThreshold
{
    public int Id { get; set; }

    public int CustomerId { get; set; }

    /// <summary>A percentage of the budget (80 = 80 %); null for an absolute threshold.</summary>
    public decimal? Percent { get; set; }

    /// <summary>An absolute amount in minor units; null for a percentage threshold.</summary>
    public long? Amount { get; set; }

    /// <summary>A <see cref="SpendBases"/> name.</summary>
    public required string Basis { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>What a threshold compares with.</summary>
public static class SpendBases
{
    /// <summary>The spend so far this period.</summary>
    public const string Actual = "actual";

    /// <summary>The spend projected for the period's end.</summary>
    public const string Projected = "projected";
}

/// <summary>
/// One alert that fired: a threshold crossed, or the cap reached, in one billing period. The unique index on
/// (customer, key, period start) is what makes each fire once, whatever the number of nodes evaluating at once.
/// It is also the in-portal notification.
/// </summary>
public sealed class AlertFiring
{
    public long Id { get; set; }

    public int CustomerId { get; set; }

    /// <summary>What fired: <c>threshold:{id}</c> or <c>cap</c>.</summary>
    public required string Key { get; set; }

    /// <summary><c>budget.threshold_reached</c> or <c>budget.cap_reached</c>.</summary>
    public required string Type { get; set; }

    /// <summary>The threshold's <see cref="SpendBases"/> (the cap is on actual spend).</summary>
    public required string Basis { get; set; }

    public DateTime PeriodStart { get; set; }

    public DateTime PeriodEnd { get; set; }

    public DateTime FiredAt { get; set; }

    /// <summary>The spend (actual or projected) when it fired, in minor units.</summary>
    public long Spend { get; set; }

    /// <summary>The threshold's or the cap's amount, in minor units.</summary>
    public long Limit { get; set; }

    public required string Currency { get; set; }

    /// <summary>The notification's one-line text.</summary>
    public required string Message { get; set; }
}

/// <summary>One channel's delivery of an alert. E-mail and webhooks are outbox messages (same id), whose state is the delivery's.</summary>
public sealed class AlertDelivery
{
    public Guid Id { get; set; }

    public long AlertFiringId { get; set; }

    public int CustomerId { get; set; }

    /// <summary><c>portal</c>, <c>email</c> or <c>webhook</c>.</summary>
    public required string Channel { get; set; }

    /// <summary>The recipient's address or the webhook's URL; empty for the portal.</summary>
    public string Target { get; set; } = "";
}
