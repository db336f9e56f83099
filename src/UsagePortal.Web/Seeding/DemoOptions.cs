namespace UsagePortal.Web.Seeding;

/// <summary>The <c>Demo</c> section of appsettings.Development.json: the seeded demo's credentials.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>Seed the demo at start-up; by default only in Development.</summary>
    public bool? Seed { get; set; }

    public string AdminEmail { get; set; } = "";

    public string AdminPassword { get; set; } = "";

    /// <summary>The demo customer's owner.</summary>
    public string CustomerEmail { get; set; } = "";

    public string CustomerPassword { get; set; } = "";

    /// <summary>A member (not owner) of the demo customer; signs in with <see cref="CustomerPassword"/>.</summary>
    public string MemberEmail { get; set; } = "";

    public string CustomerExternalId { get; set; } = "";

    public string CustomerName { get; set; } = "Acme Analytics";

    public string OperatorApiKey { get; set; } = "";
}
