using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Stripe;
using UsagePortal.Data.Payments;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Payments;

/// <summary>
/// Collects through Stripe Invoices with Stripe.net: the customer is created once (our externalId in its metadata), then
/// for each finalized invoice a draft Stripe invoice (<c>charge_automatically</c>, no pending items of its own), one
/// invoice item per line of ours in minor units equal to ours (sub-cent unit prices are summed by us, so Stripe never
/// rounds again), one for the credit applied and one for tax; its total is checked against ours before it is finalized,
/// and then paid. Every POST carries an idempotency key made of our ids, so a push repeated after a crash (even after
/// Stripe answered and before we committed) gets Stripe's first answers back: the same invoice, one charge.
/// </summary>
/// <remarks>
/// Stripe keeps idempotency keys for at least 24 hours; the outbox retries a push within hours (its backoff is capped at
/// an hour), so a repeated push falls inside that window. Stripe.net retries 429 and 5xx itself (twice, honouring
/// <c>Stripe-Should-Retry</c>); what is still failing then is retried by the outbox with backoff.
/// </remarks>
public sealed class StripePaymentProvider : IPaymentProvider, IDisposable
{
    public const string ProviderName = "stripe";

    /// <summary>Metadata on Stripe's invoice naming ours: how a webhook finds our invoice even before we stored Stripe's id.</summary>
    public const string InvoiceMetadataKey = "usageportal_invoice_id";

    public const string CustomerMetadataKey = "usageportal_customer";

    /// <summary>Stripe's dashboard; objects made with a test key live under its <c>test/</c> path.</summary>
    public const string DashboardBase = "https://dashboard.stripe.com/";

    private readonly HttpClient http;
    private readonly StripeClient client;
    private readonly bool testMode;

    public StripePaymentProvider(IOptions<PaymentsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stripe = options.Value.Stripe;
        // sk_test_… and rk_test_… (a restricted key) work on test-mode objects only; the dashboard shows those under test/.
        testMode = stripe.SecretKey?.Contains("_test_", StringComparison.Ordinal) == true;
        http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(80) };
        client = new StripeClient(new StripeClientOptions
        {
            ApiKey = stripe.SecretKey,
            ApiBase = stripe.ApiBase.TrimEnd('/'),
            HttpClient = new SystemNetHttpClient(http, maxNetworkRetries: 2),
        });
    }

    public string Name => ProviderName;

    /// <summary>The idempotency key of one step of pushing invoice <paramref name="invoiceId"/>.</summary>
    public static string Key(long invoiceId, string step) => $"usageportal-invoice-{invoiceId}-{step}";

    /// <summary>The idempotency key of creating the Stripe customer of <paramref name="customerId"/>.</summary>
    public static string CustomerKey(int customerId) => $"usageportal-customer-{customerId}";

    public async Task<PaymentPushResult> PushAsync(PaymentPush push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        var (invoice, customer) = (push.Invoice, push.Customer);
        try
        {
            var customerId = customer.ProviderCustomerId;
            if (customerId is null)
            {
                var created = await new CustomerService(client).CreateAsync(new CustomerCreateOptions
                {
                    Name = customer.Name,
                    Email = customer.Email,
                    Metadata = new Dictionary<string, string> { [CustomerMetadataKey] = customer.ExternalId },
                }, Options(CustomerKey(customer.Id)), cancellationToken);
                customerId = created.Id;
            }

            var currency = invoice.Currency.ToLowerInvariant();
            var invoices = new InvoiceService(client);
            var draft = await invoices.CreateAsync(new InvoiceCreateOptions
            {
                Customer = customerId,
                Currency = currency,
                CollectionMethod = "charge_automatically",
                AutoAdvance = false,
                PendingInvoiceItemsBehavior = "exclude",
                Description = $"{invoice.Number}: usage from {invoice.PeriodStart:yyyy-MM-dd} to {invoice.PeriodEnd:yyyy-MM-dd}",
                Metadata = new Dictionary<string, string>
                {
                    [InvoiceMetadataKey] = invoice.Id.ToString(CultureInfo.InvariantCulture),
                    ["usageportal_number"] = invoice.Number ?? "",
                },
            }, Options(Key(invoice.Id, "create")), cancellationToken);

            var items = new InvoiceItemService(client);
            foreach (var item in Items(invoice))
            {
                await items.CreateAsync(new InvoiceItemCreateOptions
                {
                    Customer = customerId,
                    Invoice = draft.Id,
                    Currency = currency,
                    Amount = item.Amount,
                    Description = item.Description,
                }, Options(Key(invoice.Id, item.Step)), cancellationToken);
            }

            // Stripe's sum of our items must be our total to the cent before anything is charged.
            var totalled = await invoices.GetAsync(draft.Id, cancellationToken: cancellationToken);
            if (totalled.Total != invoice.Total)
            {
                var money = Currency.FromCode(invoice.Currency);
                throw new PaymentProviderException(
                    $"Stripe totals invoice {invoice.Number} ({draft.Id}) at {money.FormatMinorUnits(totalled.Total)} {money.Code}, ours is {money.FormatMinorUnits(invoice.Total)}: it was left a draft in Stripe and not charged.",
                    retryable: false);
            }

            var finalized = await invoices.FinalizeInvoiceAsync(draft.Id, new InvoiceFinalizeOptions { AutoAdvance = false }, Options(Key(invoice.Id, "finalize")), cancellationToken);
            if (finalized.Status == "paid")
            {
                return new PaymentPushResult(PaymentStates.Paid, draft.Id, finalized.HostedInvoiceUrl, customerId, $"Stripe invoice {draft.Id}: nothing to collect, paid at finalization.");
            }

            try
            {
                var paid = await invoices.PayAsync(draft.Id, new InvoicePayOptions(), Options(Key(invoice.Id, "pay")), cancellationToken);
                return paid.Status == "paid"
                    ? new PaymentPushResult(PaymentStates.Paid, draft.Id, paid.HostedInvoiceUrl, customerId, $"Stripe invoice {draft.Id}: paid.")
                    : new PaymentPushResult(PaymentStates.AwaitingPayment, draft.Id, paid.HostedInvoiceUrl, customerId, $"Stripe invoice {draft.Id}: {paid.Status}, awaiting payment.");
            }
            catch (StripeException exception) when (exception.StripeError?.Type == "card_error" || exception.HttpStatusCode == HttpStatusCode.PaymentRequired)
            {
                // Pushed, but the charge was declined: the customer pays on Stripe's page.
                return new PaymentPushResult(PaymentStates.Failed, draft.Id, finalized.HostedInvoiceUrl, customerId,
                    $"Stripe invoice {draft.Id}: the payment failed ({exception.StripeError?.Message ?? exception.Message}).");
            }
        }
        catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Voids the Stripe invoice (an open or uncollectible one; Stripe refuses a paid one, which is then credited instead).</summary>
    public async Task<string> VoidAsync(Data.Billing.Invoice invoice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        try
        {
            var voided = await new InvoiceService(client).VoidInvoiceAsync(invoice.ProviderInvoiceId, new InvoiceVoidOptions(), Options(Key(invoice.Id, "void")), cancellationToken);
            return $"Stripe invoice {voided.Id}: {voided.Status}.";
        }
        catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The customer's page in Stripe's dashboard (in test mode with a test key), once Stripe knows the customer.</summary>
    public string? CustomerDashboardUrl(Data.Customers.Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return customer.ProviderCustomerId is { Length: > 0 } id
            ? $"{DashboardBase}{(testMode ? "test/" : "")}customers/{Uri.EscapeDataString(id)}"
            : null;
    }

    /// <summary>A Stripe billing-portal session for the customer (once Stripe knows it), returning to <paramref name="returnUrl"/>.</summary>
    public async Task<string?> PaymentMethodPageAsync(Data.Customers.Customer customer, string returnUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (customer.ProviderCustomerId is null)
        {
            return null;
        }

        try
        {
            var session = await new Stripe.BillingPortal.SessionService(client).CreateAsync(new Stripe.BillingPortal.SessionCreateOptions
            {
                Customer = customer.ProviderCustomerId,
                ReturnUrl = returnUrl,
            }, cancellationToken: cancellationToken);
            return session.Url;
        }
        catch (Exception exception) when (Translate(exception, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>What Stripe is asked to bill, in order: each line, the credit applied (negative) and tax. Sums to the invoice's total.</summary>
    public static IReadOnlyList<(string Step, long Amount, string Description)> Items(Data.Billing.Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var items = invoice.Lines.OrderBy(l => l.Position).Select(l => ($"line-{l.Position}", l.Amount, l.Description)).ToList();
        if (invoice.CreditsApplied != 0)
        {
            items.Add(("credits", -invoice.CreditsApplied, "Credits applied"));
        }

        if (invoice.Tax != 0)
        {
            items.Add(("tax", invoice.Tax, $"Tax ({(invoice.TaxRate * 100m).ToString("0.####", CultureInfo.InvariantCulture)} %)"));
        }

        return items;
    }

    /// <summary>
    /// Stripe's failures as the app's <see cref="PaymentProviderException"/>, saying whether they pass: Stripe's own errors,
    /// an unreachable Stripe, a request that timed out. Null for anything else (ours, or the caller's cancellation).
    /// </summary>
    private static PaymentProviderException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        StripeException stripe => new PaymentProviderException(Describe(stripe), Retryable(stripe), stripe),
        HttpRequestException unreachable => new PaymentProviderException($"Stripe could not be reached: {unreachable.Message}", retryable: true, unreachable),
        TaskCanceledException timeout when !cancellationToken.IsCancellationRequested => new PaymentProviderException("Stripe did not answer in time.", retryable: true, timeout),
        _ => null,
    };

    private static RequestOptions Options(string idempotencyKey) => new() { IdempotencyKey = idempotencyKey };

    /// <summary>429, 5xx, a connection failure and a request still being processed pass; anything else Stripe refused as sent.</summary>
    private static bool Retryable(StripeException exception) =>
        exception.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict || (int)exception.HttpStatusCode >= 500
        || exception.StripeError?.Type is "api_connection_error" or "api_error" or "rate_limit_error";

    private static string Describe(StripeException exception)
    {
        var error = exception.StripeError;
        var where = error?.Param is { } param ? $" (parameter '{param}')" : "";
        return $"Stripe answered {(int)exception.HttpStatusCode}{(error?.Type is { } type ? $" {type}" : "")}{(error?.Code is { } code ? $"/{code}" : "")}{where}: {error?.Message ?? exception.Message}";
    }

    public void Dispose() => http.Dispose();
}
