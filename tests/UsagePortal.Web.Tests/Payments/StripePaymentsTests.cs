using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Payments;
using UsagePortal.Domain.Outbox;
using UsagePortal.Domain.Payments;
using UsagePortal.Web.Api;
using UsagePortal.Web.Tests.Api;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Payments;

/// <summary>The app with <c>Payments:Provider=Stripe</c>, pointed at a local fake Stripe that speaks its wire format.</summary>
public sealed class StripePortal : PortalFactory
{
    public const string WebhookSecret = "whsec_usageportal_tests";

    public StripePortal()
    {
        Stripe = FakeStripe.StartAsync().GetAwaiter().GetResult();
    }

    public FakeStripe Stripe { get; }

    /// <summary>When set, the provider's answer is lost as by a crash right after Stripe answered, before our commit.</summary>
    public bool CrashAfterStripeAnswers { get; set; }

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Demo:Seed", "false"),
        new("Billing:Enabled", "false"),
        new("Payments:Provider", "Stripe"),
        new("Payments:Stripe:SecretKey", FakeStripe.SecretKey),
        new("Payments:Stripe:WebhookSecret", WebhookSecret),
        new("Payments:Stripe:ApiBase", Stripe.Address.ToString()),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IPaymentProvider>(provider =>
            new CrashingProvider(new StripePaymentProvider(provider.GetRequiredService<IOptions<PaymentsOptions>>()), this)));
    }

    public Task<int> DeliverAsync() =>
        WithServicesAsync(services => services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None));

    /// <summary>Makes every unsent payment push due now (the outbox's backoff skipped, as time passing would).</summary>
    public Task MakePushesDueAsync() =>
        WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages
            .Where(m => m.Kind == PaymentPushes.Kind && m.SentAt == null).ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, DateTime.UtcNow.AddSeconds(-1))));

    /// <summary>A finalized invoice with <paramref name="lines"/>, queued for its push as finalization queues it.</summary>
    public Task<Invoice> FinalizedInvoiceAsync(int customerId, IReadOnlyList<TestLine> lines, long creditsApplied = 0, decimal taxRate = 0m) =>
        WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var invoice = await TestInvoices.StoreAsync(db, customerId, InvoiceStatuses.Finalized, lines, creditsApplied, taxRate, CreditTestData.PeriodStart, "USD");
            await db.Invoices.Where(i => i.Id == invoice.Id).ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.Queued));
            PaymentPushes.Enqueue(db, invoice.Id, PaymentPushes.Finalization, DateTime.UtcNow);
            await db.SaveChangesAsync();
            return invoice;
        });

    public Task<Invoice> InvoiceAsync(long id) =>
        WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking().SingleAsync(i => i.Id == id));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Stripe.DisposeAsync();
    }

    private sealed class CrashingProvider(StripePaymentProvider inner, StripePortal portal) : IPaymentProvider
    {
        public string Name => inner.Name;

        public async Task<PaymentPushResult> PushAsync(PaymentPush push, CancellationToken cancellationToken)
        {
            var result = await inner.PushAsync(push, cancellationToken);
            return portal.CrashAfterStripeAnswers
                ? throw new InvalidOperationException("Simulated crash: the process died after Stripe answered and before the answer was committed.")
                : result;
        }

        public Task<string?> PaymentMethodPageAsync(Data.Customers.Customer customer, string returnUrl, CancellationToken cancellationToken) =>
            inner.PaymentMethodPageAsync(customer, returnUrl, cancellationToken);

        public Task<string> VoidAsync(Invoice invoice, CancellationToken cancellationToken) => inner.VoidAsync(invoice, cancellationToken);

        public string? CustomerDashboardUrl(Data.Customers.Customer customer) => inner.CustomerDashboardUrl(customer);
    }
}

[CollectionDefinition(Name)]
public sealed class StripeCollection : ICollectionFixture<StripePortal>
{
    public const string Name = "Stripe";
}

/// <summary>Pushing finalized invoices to Stripe: the exact requests, idempotency keys from our ids, totals to the cent, and a crash mid-push.</summary>
[Collection(StripeCollection.Name)]
public sealed class StripePaymentsTests(StripePortal portal)
{
    private List<StripeRequest> RequestsSince(int count) => [.. portal.Stripe.Received.Skip(count)];

    [Fact]
    public async Task EachInvoiceBecomesOneStripeInvoiceWhoseItemsSumToOurTotalWithKeysFromOurIds()
    {
        var customer = await portal.CreateBillingCustomerAsync(prefix: "stripe");
        var other = await portal.CreateBillingCustomerAsync(prefix: "stripe");
        // 333 calls at 0.0045 = 1.4985, rounded once by us to 1.50; Stripe gets 150, never a unit price to round again.
        var first = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("333 API calls at 0.0045", 150, Quantity: 333m), new TestLine("Platform fee", 4_900, Kind: "flat_fee")],
            creditsApplied: 1_000, taxRate: 0.19m);
        var second = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("1,000 API calls", 1_234)]);
        var third = await portal.FinalizedInvoiceAsync(other.Id, [new TestLine("7 GB-months at 0.333", 233)]);
        var before = portal.Stripe.Received.Count;

        while (await portal.DeliverAsync() > 0)
        {
        }

        var requests = RequestsSince(before);
        Assert.All(requests, r => Assert.False(r.Replayed));
        Assert.All(requests.Where(r => r.Method == "POST"), r => Assert.NotNull(r.IdempotencyKey));
        Assert.All(requests, r => Assert.Equal(Stripe.StripeConfiguration.ApiVersion, r.StripeVersion));
        // One customer creation per customer, keyed by our customer id, with our externalId in its metadata.
        var customers = requests.Where(r => r.Path == "/v1/customers").ToList();
        Assert.Equal(new[] { $"usageportal-customer-{customer.Id}", $"usageportal-customer-{other.Id}" }.Order(StringComparer.Ordinal), customers.Select(r => r.IdempotencyKey!).Order(StringComparer.Ordinal));
        Assert.Contains(customers, r => r.Form["metadata[usageportal_customer]"] == customer.ExternalId && r.Form["email"] == customer.Email);

        // The first invoice, request by request: our lines, the credit, tax (19 % of 40.50 = 7.70); Stripe's total checked, then finalized and paid.
        var stripeId = (await portal.InvoiceAsync(first.Id)).ProviderInvoiceId!;
        var own = requests.Where(r => r.IdempotencyKey?.StartsWith($"usageportal-invoice-{first.Id}-", StringComparison.Ordinal) == true || r.Path == $"/v1/invoices/{stripeId}").ToList();
        Assert.Equal(
        [
            ("POST", "/v1/invoices", $"usageportal-invoice-{first.Id}-create"),
            ("POST", "/v1/invoiceitems", $"usageportal-invoice-{first.Id}-line-1"),
            ("POST", "/v1/invoiceitems", $"usageportal-invoice-{first.Id}-line-2"),
            ("POST", "/v1/invoiceitems", $"usageportal-invoice-{first.Id}-credits"),
            ("POST", "/v1/invoiceitems", $"usageportal-invoice-{first.Id}-tax"),
            ("GET", $"/v1/invoices/{stripeId}", null),
            ("POST", $"/v1/invoices/{stripeId}/finalize", $"usageportal-invoice-{first.Id}-finalize"),
            ("POST", $"/v1/invoices/{stripeId}/pay", $"usageportal-invoice-{first.Id}-pay"),
        ], own.Select(r => (r.Method, r.Path, r.IdempotencyKey)));
        var create = own[0].Form;
        Assert.Equal(("charge_automatically", "usd", "exclude", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (create["collection_method"], create["currency"], create["pending_invoice_items_behavior"], create["metadata[usageportal_invoice_id]"]));
        var amounts = own.Where(r => r.Path == "/v1/invoiceitems").Select(r => long.Parse(r.Form["amount"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([150L, 4_900, -1_000, 770], amounts);
        Assert.Equal(first.Total, amounts.Sum());
        Assert.Equal(4_820, first.Total);
        Assert.All(own.Where(r => r.Path == "/v1/invoiceitems"), r => Assert.Equal(stripeId, r.Form["invoice"]));
        Assert.DoesNotContain(own, r => r.Form.ContainsKey("unit_amount") || r.Form.ContainsKey("unit_amount_decimal"));

        // Every invoice is linked, paid, and Stripe's total equals ours.
        foreach (var invoice in new[] { first, second, third })
        {
            var stored = await portal.InvoiceAsync(invoice.Id);
            Assert.Equal((InvoiceStatuses.Paid, PaymentStates.Paid, StripePaymentProvider.ProviderName), (stored.Status, stored.PaymentState, stored.PaymentProvider));
            Assert.Equal(invoice.Total, (long)portal.Stripe.Invoice(stored.ProviderInvoiceId!)["total"]!);
            Assert.Equal($"https://invoice.stripe.test/i/{stored.ProviderInvoiceId}", stored.PaymentUrl);
        }

        var linked = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.AsNoTracking()
            .Where(c => c.Id == customer.Id).Select(c => c.ProviderCustomerId).SingleAsync());
        Assert.Single(customers, r => r.IdempotencyKey == $"usageportal-customer-{customer.Id}");
        Assert.StartsWith("cus_", linked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACrashBetweenStripesAnswerAndOurCommitNeitherChargesTwiceNorLosesTheCharge()
    {
        var customer = await portal.CreateBillingCustomerAsync(prefix: "crash");
        var invoice = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("API calls", 2_500)]);
        var before = portal.Stripe.Received.Count;
        portal.CrashAfterStripeAnswers = true;
        try
        {
            await portal.DeliverAsync();
        }
        finally
        {
            portal.CrashAfterStripeAnswers = false;
        }

        // Stripe charged once; we recorded nothing.
        var charged = Own(RequestsSince(before), invoice.Id);
        Assert.Single(charged, r => r.Path.EndsWith("/pay", StringComparison.Ordinal));
        var lost = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((PaymentStates.Queued, (string?)null, InvoiceStatuses.Finalized), (lost.PaymentState, lost.ProviderInvoiceId, lost.Status));

        // After the restart the outbox pushes again: every POST replays its key, so Stripe answers as before.
        await portal.MakePushesDueAsync();
        var restart = portal.Stripe.Received.Count;
        await portal.DeliverAsync();

        var replay = Own(RequestsSince(restart), invoice.Id);
        Assert.NotEmpty(replay);
        Assert.All(replay.Where(r => r.Method == "POST"), r => Assert.True(r.Replayed, $"{r.Path} ({r.IdempotencyKey}) was not a replay"));
        var stripeInvoices = charged.Where(r => r.Path == "/v1/invoices").Select(r => r.IdempotencyKey).ToList();
        Assert.Single(stripeInvoices);
        var stored = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((PaymentStates.Paid, InvoiceStatuses.Paid), (stored.PaymentState, stored.Status));
        var createdId = (string)portal.Stripe.InvoiceIds.Select(portal.Stripe.Invoice).Single(i => (string?)i["metadata"]?["usageportal_invoice_id"] == invoice.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))["id"]!;
        Assert.Equal(createdId, stored.ProviderInvoiceId);
        Assert.Equal(1, portal.Stripe.Received.Count(r => r.Path == $"/v1/invoices/{createdId}/pay" && !r.Replayed));
    }

    [Fact]
    public async Task AnOwnerOpensStripesBillingPortalForTheirOwnStripeCustomer()
    {
        var customer = await portal.CreateBillingCustomerAsync(prefix: "portal");
        var service = (Func<IServiceProvider, PaymentService>)(services => services.GetRequiredService<PaymentService>());
        // Not known to Stripe yet: there is nothing to manage.
        Assert.Null(await portal.WithServicesAsync(services => service(services).PaymentMethodPageAsync(customer.Id, "http://localhost/app/invoices")));
        await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.Id == customer.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.ProviderCustomerId, "cus_portal1")));
        var before = portal.Stripe.Received.Count;

        var url = await portal.WithServicesAsync(services => service(services).PaymentMethodPageAsync(customer.Id, "http://localhost/app/invoices"));

        Assert.StartsWith("https://billing.stripe.test/p/session/", url, StringComparison.Ordinal);
        var request = Assert.Single(RequestsSince(before));
        Assert.Equal(("POST", "/v1/billing_portal/sessions", "cus_portal1", "http://localhost/app/invoices"),
            (request.Method, request.Path, request.Form["customer"], request.Form["return_url"]));
        Assert.True(await portal.WithServicesAsync(services => Task.FromResult(service(services).HasPaymentMethods)));
    }

    [Fact]
    public async Task AnInvoiceVoidedHereIsVoidedInStripeOnceThroughTheOutbox()
    {
        var customer = await portal.CreateBillingCustomerAsync(prefix: "void");
        var invoice = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("API calls", 1_100)]);
        portal.Stripe.DeclinePayments = true;
        try
        {
            await portal.DeliverAsync();
        }
        finally
        {
            portal.Stripe.DeclinePayments = false;
        }

        var pushed = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.PaymentFailed, "open"), (pushed.Status, (string?)portal.Stripe.Invoice(pushed.ProviderInvoiceId!)["status"]));

        var voided = await portal.WithServicesAsync(services => services.GetRequiredService<Domain.Invoicing.InvoiceCorrections>().VoidAsync(invoice.Id, "Billed twice", "admin@tests"));
        Assert.True(voided.Succeeded, string.Join("; ", voided.Errors.Select(e => e.Reason)));
        var before = portal.Stripe.Received.Count;
        await portal.DeliverAsync();
        // Delivered again (as after a crash before the outbox recorded it): Stripe answers the same, voided once.
        await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            PaymentPushes.EnqueueVoid(db, invoice.Id, "admin@tests", DateTime.UtcNow);
            await db.SaveChangesAsync();
        });
        await portal.DeliverAsync();

        var voids = RequestsSince(before).Where(r => r.Path == $"/v1/invoices/{pushed.ProviderInvoiceId}/void").ToList();
        Assert.Equal(2, voids.Count);
        Assert.All(voids, r => Assert.Equal($"usageportal-invoice-{invoice.Id}-void", r.IdempotencyKey));
        Assert.Equal([false, true], voids.Select(r => r.Replayed));
        Assert.Equal("void", (string?)portal.Stripe.Invoice(pushed.ProviderInvoiceId!)["status"]);
        var history = await portal.WithServicesAsync(services => services.GetRequiredService<PaymentService>().HistoryAsync(invoice.Id));
        Assert.Equal("voided", history[0].Outcome);
        Assert.Equal((InvoiceStatuses.Void, PaymentStates.Voided), ((await portal.InvoiceAsync(invoice.Id)).Status, (await portal.InvoiceAsync(invoice.Id)).PaymentState));
    }

    /// <summary>The requests that pushed our invoice <paramref name="invoiceId"/> (other tests' pushes may run in the same sweep).</summary>
    private static List<StripeRequest> Own(List<StripeRequest> requests, long invoiceId) =>
        [.. requests.Where(r => r.IdempotencyKey?.StartsWith($"usageportal-invoice-{invoiceId}-", StringComparison.Ordinal) == true)];

    [Fact]
    public async Task StripesErrorsAreRetriedWhenTheyPassAndRecordedWhenTheyDoNot()
    {
        // Any other test's push left in the outbox goes first, so that the faults below meet this test's push alone.
        await portal.MakePushesDueAsync();
        while (await portal.DeliverAsync() > 0)
        {
        }

        var customer = await portal.CreateBillingCustomerAsync(prefix: "errors");
        var invoice = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("API calls", 900)]);
        // Three 503s: Stripe.net's own two retries, then the outbox's.
        for (var i = 0; i < 3; i++)
        {
            portal.Stripe.FailNext("/v1/customers", 503, shouldRetry: true);
        }

        await portal.DeliverAsync();
        var retrying = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal(PaymentStates.Retrying, retrying.PaymentState);

        portal.Stripe.FailNext("/v1/invoices", 400, type: "invalid_request_error");
        await portal.MakePushesDueAsync();
        await portal.DeliverAsync();
        var refused = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal(PaymentStates.PushFailed, refused.PaymentState);
        var history = await portal.WithServicesAsync(services => services.GetRequiredService<PaymentService>().HistoryAsync(invoice.Id));
        Assert.Equal(["failed", "retrying"], history.Select(a => a.Outcome));
        Assert.Contains("Stripe answered 400 invalid_request_error: Injected 400.", history[0].Detail, StringComparison.Ordinal);
        Assert.Contains("Stripe answered 503", history[1].Detail, StringComparison.Ordinal);

        // Declined card: pushed, the payment failed, and the customer pays on Stripe's page.
        var declined = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("API calls", 700)]);
        portal.Stripe.DeclinePayments = true;
        try
        {
            await portal.DeliverAsync();
        }
        finally
        {
            portal.Stripe.DeclinePayments = false;
        }

        var failed = await portal.InvoiceAsync(declined.Id);
        Assert.Equal((PaymentStates.Failed, InvoiceStatuses.PaymentFailed), (failed.PaymentState, failed.Status));
        Assert.Equal($"https://invoice.stripe.test/i/{failed.ProviderInvoiceId}", failed.PaymentUrl);
    }
}

/// <summary><c>POST /api/v1/webhooks/stripe</c>: signatures, replays, unknown invoices and types, and events out of order.</summary>
[Collection(StripeCollection.Name)]
public sealed class StripeWebhookTests(StripePortal portal)
{
    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string body, string? signature)
    {
        using var client = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, StripeWebhookEndpoints.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonObject StripeInvoice(string id, long? ours, string status = "open") => new()
    {
        ["id"] = id, ["object"] = "invoice", ["status"] = status, ["total"] = 900L, ["currency"] = "usd", ["hosted_invoice_url"] = $"https://invoice.stripe.test/i/{id}",
        ["metadata"] = ours is { } value ? new JsonObject { [StripePaymentProvider.InvoiceMetadataKey] = value.ToString(System.Globalization.CultureInfo.InvariantCulture) } : new JsonObject(),
    };

    private Task<bool> StoredAsync(string eventId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().ProviderEvents.AnyAsync(e => e.Id == eventId));

    private async Task<Invoice> PushedInvoiceAsync()
    {
        var customer = await portal.CreateBillingCustomerAsync(prefix: "hook");
        var invoice = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("API calls", 900)]);
        await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.Where(i => i.Id == invoice.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.PaymentState, PaymentStates.AwaitingPayment).SetProperty(i => i.ProviderInvoiceId, $"in_hook{invoice.Id}")));
        return invoice;
    }

    [Fact]
    public async Task AValidPaidEventMarksTheInvoicePaidAndAReplayChangesNothing()
    {
        var invoice = await PushedInvoiceAsync();
        var id = Unique.Name("evt");
        var (body, signature) = FakeStripe.Event(id, "invoice.paid", StripeInvoice($"in_hook{invoice.Id}", null, "paid"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);

        var first = await PostAsync(body, signature);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        var paid = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.Paid, PaymentStates.Paid), (paid.Status, paid.PaymentState));

        var again = await PostAsync(body, signature);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Contains("received before", again.Body, StringComparison.Ordinal);
        Assert.Equal(paid.PaidAt, (await portal.InvoiceAsync(invoice.Id)).PaidAt);
    }

    [Fact]
    public async Task AForgedOrExpiredSignatureIsRefusedAndNothingIsStored()
    {
        var invoice = await PushedInvoiceAsync();
        var forgedId = Unique.Name("evt");
        var (body, _) = FakeStripe.Event(forgedId, "invoice.paid", StripeInvoice($"in_hook{invoice.Id}", invoice.Id, "paid"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);
        var (_, wrongSecret) = FakeStripe.Event(forgedId, "invoice.paid", StripeInvoice($"in_hook{invoice.Id}", invoice.Id, "paid"), "whsec_someone_else", DateTimeOffset.UtcNow);
        var expiredId = Unique.Name("evt");
        var (expiredBody, expired) = FakeStripe.Event(expiredId, "invoice.paid", StripeInvoice($"in_hook{invoice.Id}", invoice.Id, "paid"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow.AddMinutes(-6));

        var forged = await PostAsync(body, wrongSecret);
        var missing = await PostAsync(body, null);
        var late = await PostAsync(expiredBody, expired);

        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Contains("Stripe-Signature", forged.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal(HttpStatusCode.BadRequest, late.Status);
        Assert.False(await StoredAsync(forgedId));
        Assert.False(await StoredAsync(expiredId));
        Assert.Equal((InvoiceStatuses.Finalized, PaymentStates.AwaitingPayment), ((await portal.InvoiceAsync(invoice.Id)).Status, (await portal.InvoiceAsync(invoice.Id)).PaymentState));
    }

    [Fact]
    public async Task AnUnknownInvoiceOrAnUnhandledTypeIsAnswered200StoredAndIgnored()
    {
        var unknownId = Unique.Name("evt");
        var (unknownBody, unknownSignature) = FakeStripe.Event(unknownId, "invoice.paid", StripeInvoice("in_not_ours", null, "paid"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);
        var typeId = Unique.Name("evt");
        var (typeBody, typeSignature) = FakeStripe.Event(typeId, "customer.created", StripeInvoice("in_whatever", null), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);

        var unknown = await PostAsync(unknownBody, unknownSignature);
        var unhandled = await PostAsync(typeBody, typeSignature);

        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Contains("not one of ours", unknown.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, unhandled.Status);
        Assert.Contains("not an event this app acts on", unhandled.Body, StringComparison.Ordinal);
        Assert.True(await StoredAsync(unknownId));
        Assert.True(await StoredAsync(typeId));
    }

    [Fact]
    public async Task EventsOutOfOrderEndInTheRightStateAndAFailureNotifiesTheCustomerOnce()
    {
        // Paid arrives first, found by our id in Stripe's metadata before the push linked the invoice; the older failure after it.
        var customer = await portal.CreateBillingCustomerAsync(prefix: "order");
        var invoice = await portal.FinalizedInvoiceAsync(customer.Id, [new TestLine("API calls", 900)]);
        var paid = FakeStripe.Event(Unique.Name("evt"), "invoice.paid", StripeInvoice("in_order1", invoice.Id, "paid"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);
        var failed = FakeStripe.Event(Unique.Name("evt"), "invoice.payment_failed", StripeInvoice("in_order1", invoice.Id), StripePortal.WebhookSecret, DateTimeOffset.UtcNow.AddSeconds(-30));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(paid.Body, paid.Signature)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(failed.Body, failed.Signature)).Status);

        var stored = await portal.InvoiceAsync(invoice.Id);
        Assert.Equal((InvoiceStatuses.Paid, PaymentStates.Paid, "in_order1"), (stored.Status, stored.PaymentState, stored.ProviderInvoiceId));

        // A failure on an unpaid invoice: payment failed, the customer gets one e-mail with the link, even when replayed.
        var unpaid = await PushedInvoiceAsync();
        var owner = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.Id == unpaid.CustomerId).Select(c => c.Email).SingleAsync());
        var failure = FakeStripe.Event(Unique.Name("evt"), "invoice.payment_failed", StripeInvoice($"in_hook{unpaid.Id}", unpaid.Id), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(failure.Body, failure.Signature)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(failure.Body, failure.Signature)).Status);
        var failedInvoice = await portal.InvoiceAsync(unpaid.Id);
        Assert.Equal((InvoiceStatuses.PaymentFailed, PaymentStates.Failed, $"https://invoice.stripe.test/i/in_hook{unpaid.Id}"), (failedInvoice.Status, failedInvoice.PaymentState, failedInvoice.PaymentUrl));
        var mails = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == Domain.Email.EmailOutbox.Kind && m.Payload.Contains(owner)).ToListAsync());
        var mail = Assert.Single(mails);
        Assert.Contains($"in_hook{unpaid.Id}", mail.Payload, StringComparison.Ordinal);

        // Then Stripe voids it: mirrored here.
        var voided = FakeStripe.Event(Unique.Name("evt"), "invoice.voided", StripeInvoice($"in_hook{unpaid.Id}", unpaid.Id, "void"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(voided.Body, voided.Signature)).Status);
        var mirrored = await portal.InvoiceAsync(unpaid.Id);
        Assert.Equal((InvoiceStatuses.Void, PaymentStates.Voided, "Voided in Stripe"), (mirrored.Status, mirrored.PaymentState, mirrored.VoidReason));

        // And one marked uncollectible.
        var doubtful = await PushedInvoiceAsync();
        var uncollectible = FakeStripe.Event(Unique.Name("evt"), "invoice.marked_uncollectible", StripeInvoice($"in_hook{doubtful.Id}", null, "uncollectible"), StripePortal.WebhookSecret, DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(uncollectible.Body, uncollectible.Signature)).Status);
        Assert.Equal(PaymentStates.Uncollectible, (await portal.InvoiceAsync(doubtful.Id)).PaymentState);
    }
}
