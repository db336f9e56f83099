using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;

namespace UsagePortal.Domain.Payments;

/// <summary>What a provider is given to collect: a finalized invoice with its lines, and its customer.</summary>
/// <param name="Invoice">The invoice, lines loaded; its total is what must be collected, to the cent.</param>
/// <param name="Customer">Its customer, with the provider's id of it once created.</param>
public sealed record PaymentPush(Invoice Invoice, Customer Customer);

/// <summary>What the provider made of a push.</summary>
/// <param name="State">Where the invoice now stands (<see cref="Data.Payments.PaymentStates"/>).</param>
/// <param name="ProviderInvoiceId">The provider's id of the invoice, if it keeps one.</param>
/// <param name="PaymentUrl">Where the customer pays it, if the provider has such a page.</param>
/// <param name="ProviderCustomerId">The provider's id of the customer, if it keeps one.</param>
/// <param name="Detail">What happened, in words, for the push history.</param>
public sealed record PaymentPushResult(string State, string? ProviderInvoiceId, string? PaymentUrl, string? ProviderCustomerId, string Detail);

/// <summary>A provider's refusal or failure, in words, and whether trying again later may succeed.</summary>
public sealed class PaymentProviderException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>
/// Collects finalized invoices. A push must be idempotent: the outbox may deliver it again after a crash, even after the
/// provider answered and before our commit, and the provider must then neither charge twice nor lose the charge.
/// </summary>
public interface IPaymentProvider
{
    /// <summary><c>local</c> or <c>stripe</c>, as stored on the invoice.</summary>
    string Name { get; }

    Task<PaymentPushResult> PushAsync(PaymentPush push, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the provider's where the customer manages their payment method, returning to <paramref name="returnUrl"/>;
    /// null when the provider has none (local) or does not know the customer yet.
    /// </summary>
    Task<string?> PaymentMethodPageAsync(Data.Customers.Customer customer, string returnUrl, CancellationToken cancellationToken);

    /// <summary>
    /// Where the operator sees <paramref name="customer"/> in the provider's own dashboard; null when the provider has none
    /// (local) or does not know the customer yet.
    /// </summary>
    string? CustomerDashboardUrl(Data.Customers.Customer customer);

    /// <summary>Voids at the provider an invoice voided here; answers what happened, in words. Idempotent.</summary>
    Task<string> VoidAsync(Data.Billing.Invoice invoice, CancellationToken cancellationToken);
}
