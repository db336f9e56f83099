namespace UsagePortal.Domain.Payments;

/// <summary>
/// <c>Payments</c> settings: which provider collects finalized invoices. <c>Local</c>, the default, needs nothing and
/// records each invoice paid as it is pushed, so the whole product runs offline; <c>Stripe</c> pushes through Stripe.net.
/// </summary>
public sealed class PaymentsOptions
{
    public const string SectionName = "Payments";

    public const string Local = "Local";

    public const string StripeProvider = "Stripe";

    /// <summary><c>Local</c> or <c>Stripe</c>.</summary>
    public string Provider { get; set; } = Local;

    public StripeOptions Stripe { get; set; } = new();
}

/// <summary><c>Payments:Stripe</c> settings.</summary>
public sealed class StripeOptions
{
    /// <summary>The secret key (<c>sk_test_…</c> for Stripe's test mode, <c>sk_live_…</c> in production).</summary>
    public string? SecretKey { get; set; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>), for <c>POST /api/v1/webhooks/stripe</c>.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where Stripe's API answers; a local fake server in tests.</summary>
    public string ApiBase { get; set; } = "https://api.stripe.com";
}
