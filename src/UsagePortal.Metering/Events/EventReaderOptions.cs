namespace UsagePortal.Metering;

/// <summary>Limits applied by <see cref="EventBatchReader"/>.</summary>
public sealed record EventReaderOptions
{
    /// <summary>The <c>source</c> given to plain-JSON events that do not name one.</summary>
    public const string DefaultSource = "usageportal/api";

    /// <summary>The defaults: 10,000 events per request, 256-character attributes, 5 minutes of clock skew.</summary>
    public static EventReaderOptions Default { get; } = new();

    /// <summary>The most events one request may carry; more is a whole-request error (413).</summary>
    public int MaxEventsPerBatch { get; init; } = 10_000;

    /// <summary>The longest <c>id</c>, <c>source</c>, <c>type</c> or <c>subject</c>, in UTF-16 characters.</summary>
    public int MaxAttributeLength { get; init; } = 256;

    /// <summary>How far after the moment of receipt an event's <c>time</c> may lie.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far before the moment of receipt an event's <c>time</c> may lie: 730 days, the same as the back-dating limit of subscriptions.</summary>
    public TimeSpan MaxEventAge { get; init; } = TimeSpan.FromDays(730);
}
