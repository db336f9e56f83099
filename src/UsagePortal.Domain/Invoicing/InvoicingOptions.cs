namespace UsagePortal.Domain.Invoicing;

/// <summary>The <c>Billing</c> section.</summary>
public sealed class InvoicingOptions
{
    public const string SectionName = "Billing";

    /// <summary>How long a closed period's invoice stays a draft (late events still land on it) before it is finalized.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the invoicer looks for due periods when nothing wakes it sooner.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a node holds a claimed subscription before another node may take it over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Subscriptions claimed (and drafts finalized) at a time: each batch is read with a few queries and committed once.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How far in the past a subscription may start (operators migrating from another system back-date them).</summary>
    public TimeSpan MaxBackdate { get; set; } = TimeSpan.FromDays(730);

    /// <summary>The wait after a subscription's first failed invoicing attempt; it doubles with each failure in a row.</summary>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between attempts on a failing subscription.</summary>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Turn the background sweep off (tests and benchmarks drive <see cref="InvoiceRunner"/> themselves).</summary>
    public bool Enabled { get; set; } = true;
}
