namespace UsagePortal.Metering;

/// <summary>A validated usage event, ready to be stored and metered.</summary>
public sealed class IncomingEvent
{
    internal IncomingEvent(string id, string source, string type, string subject, DateTimeOffset time, string dataJson, EventData data)
    {
        Id = id;
        Source = source;
        Type = type;
        Subject = subject;
        Time = time;
        DataJson = dataJson;
        Data = data;
    }

    /// <summary>The sender's event id; unique together with <see cref="Source"/>.</summary>
    public string Id { get; }

    /// <summary>The CloudEvents source; <see cref="EventReaderOptions.DefaultSource"/> for plain-JSON events that named none.</summary>
    public string Source { get; }

    /// <summary>The event type that meters select on.</summary>
    public string Type { get; }

    /// <summary>The customer's externalId.</summary>
    public string Subject { get; }

    /// <summary>When the usage happened, in UTC; the time of receipt when the event carried no <c>time</c>.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The JSON text of <c>data</c> exactly as sent (<c>{}</c> when absent), to be stored verbatim.</summary>
    public string DataJson { get; }

    /// <summary>The parsed <c>data</c>, for meters.</summary>
    public EventData Data { get; }

    /// <summary>Builds an event from trusted parts, such as a row read back from storage or a test fixture.</summary>
    /// <exception cref="ArgumentException">An attribute is empty or <paramref name="dataJson"/> is not a JSON object.</exception>
    public static IncomingEvent Create(string id, string source, string type, string subject, DateTimeOffset time, string dataJson = "{}")
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentException.ThrowIfNullOrEmpty(subject);
        return new IncomingEvent(id, source, type, subject, time.ToUniversalTime(), dataJson, EventData.Parse(dataJson));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Source}/{Id} {Type} for {Subject} at {Time:O}";
}
