namespace UsagePortal.Data.Customers;

/// <summary>An account of the operator: one customer organisation.</summary>
public sealed class Customer
{
    public int Id { get; set; }

    /// <summary>The operator's own id for the customer, the same string its backend puts in events' <c>subject</c>.</summary>
    public required string ExternalId { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    /// <summary>ISO 4217 code, upper case.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>IANA time zone id; dates on the portal and billing periods use it.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>BCP 47 culture used to format money and dates for this customer's users.</summary>
    public string Locale { get; set; } = "en-US";

    /// <summary>Tax as a fraction (0.2 = 20 %), exact.</summary>
    public decimal TaxRate { get; set; }

    /// <summary>The customer at the payment provider (Stripe: <c>cus_…</c>), created once, on its first pushed invoice.</summary>
    public string? ProviderCustomerId { get; set; }

    public DateTime CreatedAt { get; set; }
}
