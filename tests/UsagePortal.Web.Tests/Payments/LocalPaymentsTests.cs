using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Payments;
using UsagePortal.Domain;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Outbox;
using UsagePortal.Domain.Payments;
using UsagePortal.Web.Tests.Api;

namespace UsagePortal.Web.Tests.Payments;

/// <summary>
/// With no payment settings the demo runs offline: finalizing queues each invoice's push in the same transaction, and
/// the local provider records it paid; a replayed push changes nothing.
/// </summary>
public sealed class LocalPaymentsTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private Task<int> DeliverAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None));

    private Task<List<Invoice>> DemoInvoicesAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking().OrderBy(i => i.Id).ToListAsync());

    private Task<List<PaymentAttempt>> AttemptsAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().PaymentAttempts.AsNoTracking().OrderBy(a => a.Id).ToListAsync());

    [Fact]
    public async Task TheDemosFinalizedInvoicesEndPaidThroughTheLocalProviderOnce()
    {
        var before = await DemoInvoicesAsync();
        var billed = before.Where(i => i.Status != InvoiceStatuses.Draft).ToList();
        Assert.True(billed.Count >= 3, $"{billed.Count} finalized demo invoices");
        // Finalization queued one push per invoice, in its own transaction.
        var pushes = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == PaymentPushes.Kind).ToListAsync());
        Assert.Equal(billed.Select(i => i.Id).Order(), pushes.Select(m => JsonSerializer.Deserialize<PaymentPushes.Payload>(m.Payload)!.InvoiceId).Order());
        Assert.All(before.Where(i => i.Status == InvoiceStatuses.Draft), draft => Assert.Null(draft.PaymentState));

        while (await DeliverAsync() > 0)
        {
        }

        var after = await DemoInvoicesAsync();
        foreach (var invoice in after.Where(i => billed.Any(b => b.Id == i.Id)))
        {
            Assert.Equal((InvoiceStatuses.Paid, PaymentStates.Paid, LocalPaymentProvider.ProviderName), (invoice.Status, invoice.PaymentState, invoice.PaymentProvider));
            Assert.NotNull(invoice.PaidAt);
        }

        var attempts = await AttemptsAsync();
        Assert.Equal(billed.Select(i => i.Id).Order(), attempts.Select(a => a.InvoiceId).Order());
        Assert.All(attempts, a => Assert.Equal(("succeeded", PaymentPushes.Finalization), (a.Outcome, a.RequestedBy)));

        // A replay (the same push queued again, as after a crash before the outbox recorded it sent) changes nothing.
        await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            PaymentPushes.Enqueue(db, billed[0].Id, PaymentPushes.Finalization, DateTime.UtcNow);
            await db.SaveChangesAsync();
        });
        Assert.Equal(1, await DeliverAsync());
        Assert.Equal(attempts.Count, (await AttemptsAsync()).Count);
        Assert.Equal(after.Select(i => (i.Id, i.Status, i.PaidAt)), (await DemoInvoicesAsync()).Select(i => (i.Id, i.Status, i.PaidAt)));

        // A paid invoice is never pushed again on an admin's word either.
        var retry = await portal.WithServicesAsync(services => services.GetRequiredService<PaymentService>().RetryPushAsync(billed[0].Id, "admin@tests"));
        Assert.Equal(ResultKind.Conflict, retry.Kind);
        Assert.Contains("'paid'", retry.Errors[0].Reason, StringComparison.Ordinal);
    }
}

/// <summary>A provider that fails as told: retryable failures are retried by the outbox, refusals wait for an admin.</summary>
public sealed class FailingPaymentsTests(FailingPaymentsTests.ScriptedPortal portal) : IClassFixture<FailingPaymentsTests.ScriptedPortal>
{
    public sealed class ScriptedProvider : IPaymentProvider
    {
        public Queue<Exception?> Script { get; } = new();

        public string Name => "scripted";

        public Task<PaymentPushResult> PushAsync(PaymentPush push, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(push);
            if (Script.TryDequeue(out var failure) && failure is not null)
            {
                throw failure;
            }

            return Task.FromResult(new PaymentPushResult(PaymentStates.AwaitingPayment, $"in_{push.Invoice.Id}", $"https://pay.example/in_{push.Invoice.Id}", "cus_1", "Taken."));
        }

        public Task<string?> PaymentMethodPageAsync(Data.Customers.Customer customer, string returnUrl, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task<string> VoidAsync(Invoice invoice, CancellationToken cancellationToken) => Task.FromResult("Voided.");

        public string? CustomerDashboardUrl(Data.Customers.Customer customer) => null;
    }

    public sealed class ScriptedPortal : PortalFactory
    {
        public ScriptedProvider Payments { get; } = new();

        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Demo:Seed", "false")];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IPaymentProvider>(Payments));
        }
    }

    [Fact]
    public async Task ARetryableFailureIsRetriedAndARefusalWaitsForAnAdmin()
    {
        var invoiceId = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var customer = new Data.Customers.Customer { ExternalId = Unique.Name("pay"), Name = "Pay", Email = "pay@example.test", CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            var subscription = new Subscription { CustomerId = customer.Id, BillingAnchor = "calendar", TimeZone = "UTC", StartsAt = DateTime.UtcNow.AddMonths(-1), CreatedAt = DateTime.UtcNow, CreatedBy = "tests" };
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync();
            var invoice = new Invoice
            {
                CustomerId = customer.Id, SubscriptionId = subscription.Id, PeriodStart = DateTime.UtcNow.AddMonths(-1), PeriodEnd = DateTime.UtcNow, Currency = "USD",
                Status = InvoiceStatuses.Finalized, Number = Unique.Name("INV")[..20], Subtotal = 1234, Total = 1234, FinalizedAt = DateTime.UtcNow, PaymentState = PaymentStates.Queued,
            };
            db.Invoices.Add(invoice);
            await db.SaveChangesAsync();
            PaymentPushes.Enqueue(db, invoice.Id, PaymentPushes.Finalization, DateTime.UtcNow);
            await db.SaveChangesAsync();
            return invoice.Id;
        });
        portal.Payments.Script.Enqueue(new PaymentProviderException("The provider answered 503.", retryable: true));
        portal.Payments.Script.Enqueue(new PaymentProviderException("The provider refused the currency.", retryable: false));

        // The first try fails and is put back with backoff (not due now).
        Assert.Equal(0, await DeliverAsync());
        Assert.Equal(PaymentStates.Retrying, (await InvoiceAsync(invoiceId)).PaymentState);
        await MakeDueAsync();
        // The second is refused: recorded, not retried.
        Assert.Equal(1, await DeliverAsync());
        Assert.Equal(PaymentStates.PushFailed, (await InvoiceAsync(invoiceId)).PaymentState);
        Assert.Equal(0, await DeliverAsync());

        // An admin pushes it again: queued, audited, and this time taken.
        var retry = await portal.WithServicesAsync(services => services.GetRequiredService<PaymentService>().RetryPushAsync(invoiceId, "admin@tests"));
        Assert.True(retry.Succeeded, string.Join("; ", retry.Errors.Select(e => e.Reason)));
        Assert.Equal(1, await DeliverAsync());
        var invoice = await InvoiceAsync(invoiceId);
        Assert.Equal((PaymentStates.AwaitingPayment, $"in_{invoiceId}", $"https://pay.example/in_{invoiceId}", InvoiceStatuses.Finalized),
            (invoice.PaymentState, invoice.ProviderInvoiceId, invoice.PaymentUrl, invoice.Status));
        var history = await portal.WithServicesAsync(services => services.GetRequiredService<PaymentService>().HistoryAsync(invoiceId));
        Assert.Equal(["succeeded", "failed", "retrying"], history.Select(a => a.Outcome));
        Assert.Equal(["admin@tests", PaymentPushes.Finalization, PaymentPushes.Finalization], history.Select(a => a.RequestedBy));
        Assert.True(await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().AuditEntries
            .AnyAsync(a => a.Action == "invoice.push_retried" && a.Subject == $"invoice:{invoice.Number}" && a.Actor == "admin@tests")));
    }

    private Task<int> DeliverAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None));

    private Task<Invoice> InvoiceAsync(long id) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Invoices.AsNoTracking().SingleAsync(i => i.Id == id));

    private Task MakeDueAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages
            .Where(m => m.Kind == PaymentPushes.Kind && m.SentAt == null).ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, DateTime.UtcNow.AddSeconds(-1))));
}
