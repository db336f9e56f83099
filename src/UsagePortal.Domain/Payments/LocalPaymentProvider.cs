using UsagePortal.Data.Payments;

namespace UsagePortal.Domain.Payments;

/// <summary>
/// The embedded default: no one to call, so a pushed invoice is recorded as paid at once. The product runs end to end
/// with no key and no network; an operator who collects some other way sees the same states.
/// </summary>
public sealed class LocalPaymentProvider : IPaymentProvider
{
    public const string ProviderName = "local";

    public string Name => ProviderName;

    public Task<PaymentPushResult> PushAsync(PaymentPush push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        return Task.FromResult(new PaymentPushResult(PaymentStates.Paid, null, null, null, "Recorded as paid by the local payment provider."));
    }

    /// <summary>Nothing to void elsewhere.</summary>
    public Task<string> VoidAsync(Data.Billing.Invoice invoice, CancellationToken cancellationToken) => Task.FromResult("Nothing to void at the local provider.");

    /// <summary>No dashboard: the invoice pages are all there is.</summary>
    public string? CustomerDashboardUrl(Data.Customers.Customer customer) => null;

    /// <summary>Nothing to manage: the local provider takes no payment method.</summary>
    public Task<string?> PaymentMethodPageAsync(Data.Customers.Customer customer, string returnUrl, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
