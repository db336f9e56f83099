namespace UsagePortal.Metering;

/// <summary>A half-open UTC interval [<see cref="Start"/>, <see cref="End"/>).</summary>
public readonly record struct TimeRange
{
    /// <summary>Creates a range; both ends are normalised to UTC.</summary>
    /// <exception cref="ArgumentException"><paramref name="end"/> is before <paramref name="start"/>.</exception>
    public TimeRange(DateTimeOffset start, DateTimeOffset end)
    {
        if (end < start)
        {
            throw new ArgumentException($"The range ends ({end:O}) before it starts ({start:O}).", nameof(end));
        }

        Start = start.ToUniversalTime();
        End = end.ToUniversalTime();
    }

    /// <summary>The first instant in the range.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The first instant after the range.</summary>
    public DateTimeOffset End { get; }

    /// <summary>True when the range holds no instant.</summary>
    public bool IsEmpty => Start == End;

    /// <summary>True when Start ≤ <paramref name="time"/> &lt; End.</summary>
    public bool Contains(DateTimeOffset time) => time >= Start && time < End;
}

/// <summary>
/// A [from, to) range cut at hour boundaries: the partial hour at the start, the run of whole hours, and the
/// partial hour at the end. Rollups answer <see cref="WholeHours"/>; raw events answer the partial edges.
/// Each part is null when empty; all three together cover the range exactly, without overlap.
/// </summary>
/// <param name="Leading">From <c>from</c> up to the first hour boundary (or up to <c>to</c> when no boundary lies inside).</param>
/// <param name="WholeHours">From the first to the last hour boundary inside the range.</param>
/// <param name="Trailing">From the last hour boundary up to <c>to</c>.</param>
public readonly record struct HourSplit(TimeRange? Leading, TimeRange? WholeHours, TimeRange? Trailing);

/// <summary>Hour buckets, the granularity of usage rollups. All results are UTC.</summary>
public static class HourBuckets
{
    /// <summary>The start of the UTC hour holding <paramref name="time"/>.</summary>
    public static DateTimeOffset FloorToHour(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerHour), TimeSpan.Zero);
    }

    /// <summary>True when <paramref name="time"/> is exactly on a UTC hour boundary.</summary>
    public static bool IsHourBoundary(DateTimeOffset time) => time.UtcTicks % TimeSpan.TicksPerHour == 0;

    /// <summary>Cuts [<paramref name="from"/>, <paramref name="to"/>) at hour boundaries.</summary>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public static HourSplit Split(DateTimeOffset from, DateTimeOffset to)
    {
        var range = new TimeRange(from, to);
        if (range.IsEmpty)
        {
            return default;
        }

        var firstBoundaryTicks = IsHourBoundary(range.Start)
            ? range.Start.UtcTicks
            : FloorToHour(range.Start).UtcTicks + TimeSpan.TicksPerHour;
        if (firstBoundaryTicks >= range.End.UtcTicks)
        {
            return new HourSplit(range, null, null);
        }

        var firstBoundary = new DateTimeOffset(firstBoundaryTicks, TimeSpan.Zero);
        var lastBoundary = FloorToHour(range.End);
        return new HourSplit(
            firstBoundary > range.Start ? new TimeRange(range.Start, firstBoundary) : null,
            lastBoundary > firstBoundary ? new TimeRange(firstBoundary, lastBoundary) : null,
            range.End > lastBoundary ? new TimeRange(lastBoundary, range.End) : null);
    }

    /// <summary>The start of every hour bucket that overlaps <paramref name="range"/>, in order.</summary>
    public static IEnumerable<DateTimeOffset> HoursIn(TimeRange range)
    {
        if (range.IsEmpty)
        {
            yield break;
        }

        for (var hour = FloorToHour(range.Start); hour < range.End; hour = hour.AddHours(1))
        {
            yield return hour;
        }
    }
}
