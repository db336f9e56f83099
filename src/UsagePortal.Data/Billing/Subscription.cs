namespace UsagePortal.Data.Billing;

/// <summary>
/// A customer on a plan from a start date, billed per period (calendar month or anniversary month) in its own
/// time zone. Which plan version applies when is told by its <see cref="Phases"/>: a plan change is a new phase.
/// </summary>
public sealed class Subscription
{
    public int Id { get; set; }

    public int CustomerId { get; set; }

    /// <summary><c>calendar</c> or <c>anniversary</c>.</summary>
    public required string BillingAnchor { get; set; }

    /// <summary>IANA id; periods start at local midnight in this zone.</summary>
    public required string TimeZone { get; set; }

    public DateTime StartsAt { get; set; }

    /// <summary>When the subscription ends (cancellation); usage from then on is not billed on it.</summary>
    public DateTime? EndsAt { get; set; }

    public DateTime? CanceledAt { get; set; }

    /// <summary>JSON array of charges that replace the plan's charge for the same meter, for this customer only.</summary>
    public string? OverridesJson { get; set; }

    /// <summary>Start of the next period to invoice; null once the subscription has ended and is fully invoiced.</summary>
    public DateTime? NextPeriodStart { get; set; }

    /// <summary>End of that period (the subscription's end when it ends sooner): the period is due from then.</summary>
    public DateTime? NextPeriodEnd { get; set; }

    /// <summary>A node working on this subscription holds it until then (row lease); others skip it.</summary>
    public DateTime? LeasedUntil { get; set; }

    /// <summary>How many invoicer attempts in a row failed on this subscription; 0 once one succeeds.</summary>
    public int BillingFailures { get; set; }

    /// <summary>When the last attempt failed, and why (for admins); null once one succeeds.</summary>
    public DateTime? BillingFailedAt { get; set; }

    public string? BillingError { get; set; }

    /// <summary>The invoicer leaves a failing subscription alone until then (backoff), and goes on with the others.</summary>
    public DateTime? BillingRetryAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public List<SubscriptionPhase> Phases { get; set; } = [];
}

/// <summary>The plan version a subscription is on over [<see cref="StartsAt"/>, <see cref="EndsAt"/>).</summary>
public sealed class SubscriptionPhase
{
    public int Id { get; set; }

    public int SubscriptionId { get; set; }

    public int PlanVersionId { get; set; }

    public PlanVersion? PlanVersion { get; set; }

    public DateTime StartsAt { get; set; }

    public DateTime? EndsAt { get; set; }
}
