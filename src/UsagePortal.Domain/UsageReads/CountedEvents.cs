using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Domain.Meters;
using UsagePortal.Metering;

namespace UsagePortal.Domain.UsageReads;

/// <summary>One stored event as a meter counted it: what a customer reconciles an amount with.</summary>
/// <param name="Id">The stored event's id (the tie-break of the order and of the page cursor).</param>
/// <param name="EventId">The CloudEvents id the operator sent.</param>
/// <param name="Source">The CloudEvents source.</param>
/// <param name="Time">The event's own time (UTC).</param>
/// <param name="GroupKey">The group the meter put it in (empty when the meter is not grouped).</param>
/// <param name="Value">The value it added (sum, max, latest); null for count and unique_count.</param>
/// <param name="UniqueValue">The value unique_count counted; null otherwise.</param>
public sealed record CountedEvent(long Id, string EventId, string Source, DateTime Time, string GroupKey, decimal? Value, string? UniqueValue);

/// <summary>Where the next page starts: events strictly older than this (time, then id).</summary>
public readonly record struct EventCursor(DateTime Time, long Id);

/// <summary>A page of counted events, newest first, and the cursor of the next (older) page, or null when there is none.</summary>
public sealed record CountedEventsPage(string MeterName, IReadOnlyList<CountedEvent> Events, EventCursor? Next);

/// <summary>
/// The events behind a meter's quantity (PRODUCT.md: every amount opens down to the events behind it): the customer's
/// stored events over a range that the meter counted, as ingestion counted them (the meter version in force for the
/// event's time, if it existed when the event arrived), optionally of one group only, newest first, a page at a time.
/// </summary>
public sealed class CountedEventsQuery(UsagePortalDbContext db)
{
    public const int MaxPageSize = 200;

    /// <summary>Rows read from the database at a time while filling a page (events of other groups are skipped).</summary>
    private const int Batch = 500;

    /// <summary>Null when no meter has the code <paramref name="meterCode"/>.</summary>
    public async Task<CountedEventsPage?> PageAsync(int customerId, string meterCode, string? groupKey, DateTime from, DateTime to,
        EventCursor? before, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        size = Math.Min(size, MaxPageSize);
        var meters = await LoadedMeters.LoadAsync(db, cancellationToken);
        if (meters.All.FirstOrDefault(m => m.Code == meterCode) is not { } meter)
        {
            return null;
        }

        var types = meter.Versions.Select(v => v.Evaluator.Meter.EventType).Distinct(StringComparer.Ordinal).ToList();
        var found = new List<CountedEvent>(size + 1);
        var cursor = before;
        while (found.Count <= size)
        {
            var query = db.UsageEvents.AsNoTracking()
                .Where(e => e.CustomerId == customerId && types.Contains(e.Type) && e.Time >= from && e.Time < to);
            if (cursor is { } at)
            {
                query = query.Where(e => e.Time < at.Time || (e.Time == at.Time && e.Id < at.Id));
            }

            var batch = await query
                .OrderByDescending(e => e.Time).ThenByDescending(e => e.Id)
                .Take(Batch)
                .Select(e => new { e.Id, e.EventId, e.Source, e.Type, e.Time, e.ReceivedAt, e.Data })
                .ToListAsync(cancellationToken);
            foreach (var stored in batch)
            {
                var incoming = StoredEvents.Incoming(customerId, stored.EventId, stored.Source, stored.Type, stored.Time, stored.Data);
                if (meter.TryCount(incoming, stored.ReceivedAt, out var reading) && (groupKey is null || reading.GroupKey == groupKey))
                {
                    found.Add(new CountedEvent(stored.Id, stored.EventId, stored.Source, stored.Time, reading.GroupKey, reading.Value, reading.UniqueValue));
                    if (found.Count > size)
                    {
                        break;
                    }
                }
            }

            if (batch.Count < Batch)
            {
                break;
            }

            cursor = new EventCursor(batch[^1].Time, batch[^1].Id);
        }

        var page = found.Take(size).ToList();
        return new CountedEventsPage(meter.Name, page, found.Count > size ? new EventCursor(page[^1].Time, page[^1].Id) : null);
    }
}
