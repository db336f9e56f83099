namespace UsagePortal.Metering.Tests;

/// <summary>Meter and event fixtures.</summary>
internal static class MeterFixtures
{
    public static readonly DateTimeOffset Time = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public static MeterDefinition Define(
        MeterAggregation aggregation,
        string? property = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? filters = null,
        IReadOnlyList<string>? groupBy = null) => new()
        {
            Code = "api_tokens",
            Name = "API tokens",
            EventType = "api.call",
            Aggregation = aggregation,
            Property = property,
            Filters = filters ?? new Dictionary<string, IReadOnlyList<string>>(),
            GroupBy = groupBy ?? [],
        };

    public static IncomingEvent Event(string dataJson, string type = "api.call", string id = "1", DateTimeOffset? time = null) =>
        IncomingEvent.Create(id, "test", type, "cust-42", time ?? Time, dataJson);

    public static MeterReading Evaluate(MeterDefinition meter, string dataJson)
    {
        Assert.True(new MeterEvaluator(meter).TryEvaluate(Event(dataJson), out var reading, out var reason), $"skipped: {reason}");
        return reading;
    }

    public static MeterSkipReason Skip(MeterDefinition meter, IncomingEvent e)
    {
        Assert.False(new MeterEvaluator(meter).TryEvaluate(e, out _, out var reason));
        return reason;
    }
}
