using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Metering;
using UsagePortal.Domain.Meters;
using UsagePortal.Metering;

namespace UsagePortal.Domain.Events;

/// <summary>What the admin's event explorer searches by; every field optional. Times are UTC, <c>To</c> exclusive.</summary>
public sealed record EventSearch(string? Customer = null, string? Type = null, string? Source = null, string? EventId = null, DateTime? From = null, DateTime? To = null)
{
    public const int PageSize = 25;

    /// <summary>Only events stored before this row id (the next page: newest first).</summary>
    public long? Before { get; init; }
}

/// <summary>One stored event as the explorer lists it.</summary>
public sealed record EventRow(long Id, string Customer, string CustomerName, string Source, string EventId, string Type, DateTime Time, DateTime ReceivedAt);

/// <summary>A page of events, newest first; <see cref="NextBefore"/> asks for the next older page, null at the end.</summary>
public sealed record EventPage(IReadOnlyList<EventRow> Items, long? NextBefore, string? Problem = null);

/// <summary>What one meter made of an event: counted (with the value and group it counted) or not, and why.</summary>
/// <param name="Code">The meter's code.</param>
/// <param name="Name">Its name.</param>
/// <param name="Counted">Whether it counted the event.</param>
/// <param name="Value">What it counted: the number (sum, max, latest), the distinct value (unique_count), or 1 (count).</param>
/// <param name="Group">The group it counted the event in, as <c>property=value</c> pairs; empty when the meter is not grouped.</param>
/// <param name="Reason">Why it did not count the event, in words; null when it did.</param>
/// <param name="ReadsThisType">Whether the meter reads the event's type at all (the others are listed last, together).</param>
public sealed record MeterVerdict(string Code, string Name, bool Counted, string? Value, string Group, string? Reason, bool ReadsThisType);

/// <summary>An event with every meter's verdict on it.</summary>
public sealed record EventExplanation(EventRow Event, string Data, IReadOnlyList<MeterVerdict> Meters);

/// <summary>
/// The admin's event explorer: finds stored events (by customer, type, source, id and time, newest first) and explains,
/// for one event, which meters counted it, with what value and group, and why each of the others did not: another type,
/// a filter that did not match, a missing or unusable property, or a meter version that was not in force when the event
/// arrived. The verdicts come from the same evaluation ingestion used (<see cref="LoadedMeter.CountedBy"/>).
/// </summary>
public sealed class EventExplorer(UsagePortalDbContext db)
{
    public async Task<EventPage> SearchAsync(EventSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.From is { } from && search.To is { } to && to <= from)
        {
            return new EventPage([], null, "'To' must be after 'From'.");
        }

        var events = db.UsageEvents.AsNoTracking();
        if (Clean(search.Customer) is { } customer)
        {
            var ids = await db.Customers.AsNoTracking().Where(c => c.ExternalId == customer).Select(c => c.Id).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                return new EventPage([], null, $"No customer has the externalId '{customer}'.");
            }

            var customerId = ids[0];
            events = events.Where(e => e.CustomerId == customerId);
        }

        if (Clean(search.Type) is { } type)
        {
            events = events.Where(e => e.Type == type);
        }

        if (Clean(search.Source) is { } source)
        {
            events = events.Where(e => e.Source == source);
        }

        if (Clean(search.EventId) is { } eventId)
        {
            events = events.Where(e => e.EventId == eventId);
        }

        if (search.From is { } fromTime)
        {
            events = events.Where(e => e.Time >= fromTime);
        }

        if (search.To is { } toTime)
        {
            events = events.Where(e => e.Time < toTime);
        }

        if (search.Before is { } before)
        {
            events = events.Where(e => e.Id < before);
        }

        var rows = await events.OrderByDescending(e => e.Id).Take(EventSearch.PageSize + 1)
            .Join(db.Customers, e => e.CustomerId, c => c.Id, (e, c) => new EventRow(e.Id, c.ExternalId, c.Name, e.Source, e.EventId, e.Type, e.Time, e.ReceivedAt))
            .ToListAsync(cancellationToken);
        rows = [.. rows.OrderByDescending(r => r.Id)];
        return rows.Count > EventSearch.PageSize
            ? new EventPage(rows.Take(EventSearch.PageSize).ToList(), rows[EventSearch.PageSize - 1].Id)
            : new EventPage(rows, null);
    }

    /// <summary>The event stored as row <paramref name="id"/> and every meter's verdict on it; null when there is none.</summary>
    public async Task<EventExplanation?> ExplainAsync(long id, CancellationToken cancellationToken = default)
    {
        var stored = await db.UsageEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == stored.CustomerId, cancellationToken);
        var meters = await LoadedMeters.LoadAsync(db, cancellationToken);
        var incoming = StoredEvents.Incoming(stored.CustomerId, stored.EventId, stored.Source, stored.Type, stored.Time, stored.Data);
        var verdicts = meters.All.Select(meter => Verdict(meter, incoming, stored)).ToList();
        return new EventExplanation(
            new EventRow(stored.Id, customer.ExternalId, customer.Name, stored.Source, stored.EventId, stored.Type, stored.Time, stored.ReceivedAt),
            stored.Data,
            [.. verdicts.OrderByDescending(v => v.Counted).ThenByDescending(v => v.ReadsThisType).ThenBy(v => v.Code, StringComparer.Ordinal)]);
    }

    /// <summary>One meter's verdict on one stored event, by the rule ingestion applied.</summary>
    public static MeterVerdict Verdict(LoadedMeter meter, IncomingEvent incoming, UsageEvent stored)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(stored);
        var inForce = meter.At(stored.Time);
        var definition = inForce.Meter;
        var readsThisType = string.Equals(definition.EventType, stored.Type, StringComparison.Ordinal);
        if (meter.CountedBy(stored.Time, stored.ReceivedAt) is null)
        {
            var version = meter.Versions.Last(v => v.Evaluator == inForce);
            return new MeterVerdict(meter.Code, meter.Name, false, null, "",
                $"Meter version not yet in force: the version for events of {Stamp(stored.Time)} was created {Stamp(version.CreatedAt)}, after the event arrived ({Stamp(stored.ReceivedAt)}).",
                readsThisType);
        }

        if (inForce.TryEvaluate(incoming, out var reading, out var skip))
        {
            var value = definition.Aggregation switch
            {
                MeterAggregation.Count => "1",
                MeterAggregation.UniqueCount => reading.UniqueValue,
                _ => reading.Value?.ToString(CultureInfo.InvariantCulture),
            };
            return new MeterVerdict(meter.Code, meter.Name, true, value, Readable(reading.GroupKey), null, true);
        }

        var reason = skip switch
        {
            MeterSkipReason.OtherEventType => $"Type filtered out: the meter reads '{definition.EventType}' events, this one is '{stored.Type}'.",
            MeterSkipReason.FilteredOut => $"A filter did not match: the meter counts only events with {string.Join(" and ", (definition.Filters ?? new Dictionary<string, IReadOnlyList<string>>()).Select(f => $"{f.Key} in ({string.Join(", ", f.Value)})"))}.",
            MeterSkipReason.PropertyMissing => $"Property missing: the meter reads '{definition.Property}', which this event does not have (or has as null).",
            MeterSkipReason.PropertyNotANumber => $"Not a number: '{definition.Property}' holds something that is not a number.",
            MeterSkipReason.PropertyOutOfRange => $"Out of range: '{definition.Property}' is a number a decimal cannot hold exactly.",
            _ => "Not counted.",
        };
        return new MeterVerdict(meter.Code, meter.Name, false, null, "", reason, readsThisType);
    }

    private static string Readable(string groupKey) =>
        string.IsNullOrEmpty(groupKey) ? "" : string.Join(", ", (Invoicing.InvoiceAnswers.Group(groupKey) ?? new Dictionary<string, string?>()).Select(g => $"{g.Key}={g.Value ?? "(none)"}"));

    private static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
