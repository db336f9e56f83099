using System.Text.Json;

namespace UsagePortal.Metering;

/// <summary>
/// A meter compiled for evaluation: paths parsed, filters hashed, group-by keys sorted and pre-escaped.
/// Build one per meter and reuse it for every event; it is immutable and thread-safe.
/// </summary>
/// <remarks>
/// An event contributes when its type equals the meter's event type (ordinal), every filter's property holds
/// an allowed value (strings, numbers and booleans compared by their text, so <c>3</c> matches "3"; null,
/// objects, arrays and missing properties never match), and, for every aggregation but count, the property
/// is present: a number or numeric string for sum/max/latest, any non-null value for unique_count. Events
/// that fail these checks are still stored; they simply do not count toward this meter, and
/// <see cref="MeterSkipReason"/> says why.
/// </remarks>
public sealed class MeterEvaluator
{
    private readonly string eventType;
    private readonly MeterAggregation aggregation;
    private readonly PropertyPath? property;
    private readonly (PropertyPath Path, HashSet<string> Allowed)[] filters;
    private readonly PropertyPath[] groupBy;
    private readonly string[] groupKeyPrefixes;

    /// <summary>Compiles a meter.</summary>
    /// <exception cref="InvalidMeterException">The meter fails <see cref="MeterDefinition.Validate"/>.</exception>
    public MeterEvaluator(MeterDefinition meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var errors = meter.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidMeterException(meter.Code, errors);
        }

        Meter = meter;
        eventType = meter.EventType;
        aggregation = meter.Aggregation;
        property = aggregation == MeterAggregation.Count ? null : PropertyPath.Parse(meter.Property!);
        filters = (meter.Filters ?? new Dictionary<string, IReadOnlyList<string>>())
            .Select(filter => (PropertyPath.Parse(filter.Key), new HashSet<string>(filter.Value, StringComparer.Ordinal)))
            .ToArray();
        groupBy = (meter.GroupBy ?? [])
            .Order(StringComparer.Ordinal)
            .Select(PropertyPath.Parse)
            .ToArray();
        groupKeyPrefixes = groupBy.Select((path, i) => GroupKey.MemberPrefix(path.Text, first: i == 0)).ToArray();
    }

    /// <summary>The definition this was compiled from.</summary>
    public MeterDefinition Meter { get; }

    /// <summary>Evaluates one event; true when it contributes a reading.</summary>
    public bool TryEvaluate(IncomingEvent e, out MeterReading reading) => TryEvaluate(e, out reading, out _);

    /// <summary>Evaluates one event; when it does not contribute, <paramref name="skipReason"/> says why.</summary>
    public bool TryEvaluate(IncomingEvent e, out MeterReading reading, out MeterSkipReason skipReason)
    {
        ArgumentNullException.ThrowIfNull(e);
        reading = default;
        if (!string.Equals(e.Type, eventType, StringComparison.Ordinal))
        {
            skipReason = MeterSkipReason.OtherEventType;
            return false;
        }

        var data = e.Data;
        foreach (var (path, allowed) in filters)
        {
            if (!data.TryGetValue(path, out var value) || !IsScalar(value.Kind) || !allowed.Contains(value.Text))
            {
                skipReason = MeterSkipReason.FilteredOut;
                return false;
            }
        }

        decimal? number = null;
        string? uniqueValue = null;
        if (property is not null)
        {
            if (!data.TryGetValue(property, out var value) || value.IsNull)
            {
                skipReason = MeterSkipReason.PropertyMissing;
                return false;
            }

            if (aggregation == MeterAggregation.UniqueCount)
            {
                uniqueValue = value.Text;
            }
            else
            {
                var exact = 0m;
                var parsed = value.Kind is JsonValueKind.Number or JsonValueKind.String
                    ? ExactDecimal.TryParse(value.Text, out exact)
                    : DecimalParseResult.NotANumber;
                switch (parsed)
                {
                    case DecimalParseResult.NotANumber:
                        skipReason = MeterSkipReason.PropertyNotANumber;
                        return false;
                    case DecimalParseResult.OutOfRange:
                        skipReason = MeterSkipReason.PropertyOutOfRange;
                        return false;
                }

                number = exact;
            }
        }

        reading = new MeterReading(BuildGroupKey(data), e.Time, number, uniqueValue);
        skipReason = MeterSkipReason.None;
        return true;
    }

    /// <summary>
    /// What this meter cannot use in the places it reads of an event it would otherwise count (its type, then its
    /// filters match): a filtered, grouped or unique-counted value longer than <see cref="MeterValues.MaxStringLength"/>,
    /// or a present property that is not a number <see cref="MeterValues.CheckNumber"/> accepts. Fields are named
    /// <c>data.path</c>; none when the event is fine for this meter.
    /// </summary>
    public IReadOnlyList<(string Field, string Reason)> Check(IncomingEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!string.Equals(e.Type, eventType, StringComparison.Ordinal))
        {
            return [];
        }

        List<(string Field, string Reason)>? problems = null;
        var data = e.Data;
        var counted = true;
        foreach (var (path, allowed) in filters)
        {
            if (!data.TryGetValue(path, out var value))
            {
                counted = false;
                continue;
            }

            if (MeterValues.CheckText(value) is { } tooLong)
            {
                (problems ??= []).Add(("data." + path.Text, $"{tooLong} (meter '{Meter.Code}' filters on it)"));
            }
            else if (!IsScalar(value.Kind) || !allowed.Contains(value.Text))
            {
                counted = false;
            }
        }

        if (!counted)
        {
            return problems ?? [];
        }

        foreach (var path in groupBy)
        {
            if (data.TryGetValue(path, out var value) && MeterValues.CheckText(value) is { } tooLong)
            {
                (problems ??= []).Add(("data." + path.Text, $"{tooLong} (meter '{Meter.Code}' groups by it)"));
            }
        }

        if (property is not null && data.TryGetValue(property, out var read))
        {
            var problem = aggregation == MeterAggregation.UniqueCount
                ? (read.IsNull ? null : MeterValues.CheckText(read))
                : MeterValues.CheckNumber(read);
            if (problem is not null)
            {
                (problems ??= []).Add(("data." + property.Text, $"{problem} (meter '{Meter.Code}' {Verb(aggregation)} it)"));
            }
        }

        return problems ?? [];
    }

    private static string Verb(MeterAggregation aggregation) => aggregation switch
    {
        MeterAggregation.Sum => "sums",
        MeterAggregation.Max => "takes the largest of",
        MeterAggregation.Latest => "keeps the latest of",
        _ => "counts the distinct values of",
    };

    private string BuildGroupKey(EventData data)
    {
        if (groupBy.Length == 0)
        {
            return GroupKey.None;
        }

        var values = new string?[groupBy.Length];
        for (var i = 0; i < groupBy.Length; i++)
        {
            values[i] = data.TryGetValue(groupBy[i], out var value) && !value.IsNull ? value.Text : null;
        }

        return GroupKey.Build(groupKeyPrefixes, values);
    }

    private static bool IsScalar(JsonValueKind kind) =>
        kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
}
