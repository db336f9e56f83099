namespace UsagePortal.Domain.Ingestion;

/// <summary>The <c>Ingestion</c> section.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>The largest request body accepted by <c>POST /api/v1/events</c>.</summary>
    public int MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The most events in one batch.</summary>
    public int MaxEventsPerBatch { get; set; } = 10_000;

    /// <summary>How old an event may be: 730 days (about 24 months) by default, the same as <c>Billing:MaxBackdate</c>.</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(730);
}
