namespace UsagePortal.Domain.Outbox;

/// <summary>The <c>Outbox</c> section.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>How often the sweep looks for due messages when nothing wakes it sooner.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a node holds a claimed message before another node may try it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    public int MaxAttempts { get; set; } = 12;

    public int BatchSize { get; set; } = 50;

    /// <summary>Turn the background sweep off (tests drive <see cref="OutboxProcessor"/> themselves).</summary>
    public bool Enabled { get; set; } = true;
}
