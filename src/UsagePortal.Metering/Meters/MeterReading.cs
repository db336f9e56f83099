namespace UsagePortal.Metering;

/// <summary>What one event contributes to one meter.</summary>
/// <param name="GroupKey">The canonical group (see <see cref="Metering.GroupKey"/>); empty without group-by.</param>
/// <param name="Time">The event's time, UTC: the bucket it falls in and the order for <c>latest</c>.</param>
/// <param name="Value">The exact numeric value for sum, max and latest meters; null for count and unique_count.</param>
/// <param name="UniqueValue">The value text counted by a unique_count meter; null otherwise.</param>
public readonly record struct MeterReading(string GroupKey, DateTimeOffset Time, decimal? Value, string? UniqueValue);

/// <summary>Why an event did not contribute to a meter.</summary>
public enum MeterSkipReason
{
    /// <summary>It did contribute.</summary>
    None,

    /// <summary>The event's type is not the meter's event type: the normal case, not a problem.</summary>
    OtherEventType,

    /// <summary>A filtered property is missing or holds a value the filter does not allow.</summary>
    FilteredOut,

    /// <summary>The meter's property is missing from data, or null.</summary>
    PropertyMissing,

    /// <summary>The property is not a number or numeric string (sum, max, latest).</summary>
    PropertyNotANumber,

    /// <summary>The property is a number a decimal cannot hold exactly: too many significant digits, more than 28 decimal places, or beyond ±7.9e28.</summary>
    PropertyOutOfRange,
}
