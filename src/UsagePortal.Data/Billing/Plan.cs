namespace UsagePortal.Data.Billing;

/// <summary>A price plan, identified by its code. Its terms live in versions: posting a plan again makes a new version.</summary>
public sealed class Plan
{
    public int Id { get; set; }

    /// <summary>Stable identifier used by subscriptions and the API, e.g. <c>pro</c>.</summary>
    public required string Code { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<PlanVersion> Versions { get; set; } = [];
}

/// <summary>
/// One immutable version of a plan. Subscriptions point at a version and keep it until they are moved,
/// so publishing a new version never reprices anyone's running period.
/// </summary>
public sealed class PlanVersion
{
    public int Id { get; set; }

    public int PlanId { get; set; }

    public Plan? Plan { get; set; }

    public int Version { get; set; }

    public required string Name { get; set; }

    /// <summary>ISO 4217 code, upper case; a subscription's customer must bill in it.</summary>
    public required string Currency { get; set; }

    /// <summary><c>monthly</c> (the only interval for now).</summary>
    public string Interval { get; set; } = "monthly";

    /// <summary>The recurring flat fee of a full period, in minor units; prorated for partial periods.</summary>
    public long FlatFeeMinorUnits { get; set; }

    /// <summary>The minimum the period's charges add up to, in minor units; the shortfall is a true-up line.</summary>
    public long MinimumCommitmentMinorUnits { get; set; }

    /// <summary>JSON array of charges in the charge JSON of PRODUCT.md (decimals as strings), each with an optional <c>freeAllowance</c>.</summary>
    public string ChargesJson { get; set; } = "[]";

    public DateTime CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";
}
