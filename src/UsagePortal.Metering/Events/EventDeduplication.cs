namespace UsagePortal.Metering;

/// <summary>Removes repeats of the same event inside one request.</summary>
/// <remarks>
/// A repeat is not an error: senders retry whole batches. Storage dedupes across requests with a unique
/// index on (source, id); this only spares it the rows that collide within one request.
/// </remarks>
public static class EventDeduplication
{
    /// <summary>
    /// The events with each (source, id) kept at its first occurrence, in request order. Returns the same
    /// list instance when there is nothing to remove.
    /// </summary>
    public static IReadOnlyList<IncomingEvent> KeepFirst(IReadOnlyList<IncomingEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var seen = new HashSet<(string Source, string Id)>(events.Count);
        List<IncomingEvent>? unique = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (seen.Add((e.Source, e.Id)))
            {
                unique?.Add(e);
            }
            else if (unique is null)
            {
                unique = new List<IncomingEvent>(events.Count);
                for (var j = 0; j < i; j++)
                {
                    unique.Add(events[j]);
                }
            }
        }

        return unique is null ? events : unique;
    }
}
