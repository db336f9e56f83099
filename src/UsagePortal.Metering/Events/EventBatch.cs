namespace UsagePortal.Metering;

/// <summary>How a request carried its events, per the CloudEvents 1.0 HTTP protocol binding.</summary>
public enum EventContentMode
{
    /// <summary><c>application/cloudevents+json</c>: one event object.</summary>
    Structured,

    /// <summary><c>application/cloudevents-batch+json</c>: a JSON array of event objects.</summary>
    Batched,

    /// <summary>Attributes in <c>ce-*</c> headers and the body is the event's <c>data</c>.</summary>
    Binary,

    /// <summary>Plain <c>application/json</c>: one event object or an array; <c>specversion</c> and <c>source</c> optional.</summary>
    PlainJson,
}

/// <summary>The verdict on a whole request, so the web layer can pick the status code.</summary>
public enum EventBatchStatus
{
    /// <summary>Every event is valid; <see cref="EventBatch.Events"/> holds them all.</summary>
    Valid,

    /// <summary>The request was readable but one or more events are invalid (400). Errors carry indexes.</summary>
    InvalidEvents,

    /// <summary>The body is not JSON, or not the shape the content mode requires (400).</summary>
    InvalidBody,

    /// <summary>The content type (or its charset) is not one we read (415).</summary>
    UnsupportedContentType,

    /// <summary>More events than <see cref="EventReaderOptions.MaxEventsPerBatch"/> (413).</summary>
    TooManyEvents,
}

/// <summary>One problem found while reading a request.</summary>
/// <param name="Index">Zero-based position of the event in the request, or null when the error concerns the whole request.</param>
/// <param name="Field">The attribute or header at fault: <c>id</c>, <c>time</c>, <c>data</c>, <c>ce-id</c>, <c>content-type</c>, <c>body</c>...</param>
/// <param name="Reason">A plain-English sentence suitable for an RFC 9457 problem document.</param>
public sealed record EventError(int? Index, string Field, string Reason);

/// <summary>
/// The result of reading one request. All-or-nothing: when <see cref="Errors"/> is non-empty,
/// <see cref="Events"/> is empty so that nothing from a rejected request can be stored by mistake.
/// </summary>
public sealed class EventBatch
{
    internal EventBatch(EventContentMode? mode, EventBatchStatus status, IReadOnlyList<IncomingEvent> events, IReadOnlyList<EventError> errors)
    {
        Mode = mode;
        Status = status;
        Events = events;
        Errors = errors;
    }

    /// <summary>The content mode the request used; null when the content type was not recognised.</summary>
    public EventContentMode? Mode { get; }

    /// <summary>The overall verdict.</summary>
    public EventBatchStatus Status { get; }

    /// <summary>The events in request order, duplicates included (see <see cref="EventDeduplication"/>).</summary>
    public IReadOnlyList<IncomingEvent> Events { get; }

    /// <summary>Every error of every event, in request order, or a single whole-request error.</summary>
    public IReadOnlyList<EventError> Errors { get; }

    /// <summary>True when the request can be stored.</summary>
    public bool IsValid => Status == EventBatchStatus.Valid;
}
