namespace UsagePortal.Data.Metering;

/// <summary>A billable metric. Its definition is versioned: a change to a meter in use applies from the next period.</summary>
public sealed class Meter
{
    public int Id { get; set; }

    /// <summary>Stable identifier used by plans and the API, e.g. <c>api_calls</c>.</summary>
    public required string Code { get; set; }

    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<MeterVersion> Versions { get; set; } = [];
}

/// <summary>One definition of a meter, in force for events whose time is at or after <see cref="EffectiveFrom"/>.</summary>
public sealed class MeterVersion
{
    public int Id { get; set; }

    public int MeterId { get; set; }

    public Meter? Meter { get; set; }

    public int Version { get; set; }

    public DateTime EffectiveFrom { get; set; }

    public required string EventType { get; set; }

    /// <summary>Wire name: count, sum, max, unique_count, latest.</summary>
    public required string Aggregation { get; set; }

    public string? Property { get; set; }

    /// <summary>JSON object: property → allowed values.</summary>
    public string FiltersJson { get; set; } = "{}";

    /// <summary>JSON array of property names.</summary>
    public string GroupByJson { get; set; } = "[]";

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";
}
