using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UsagePortal.Data;
using UsagePortal.Domain.ApiKeys;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Budgets;
using UsagePortal.Domain.Cost;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.Email;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Live;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Outbox;
using UsagePortal.Domain.Payments;
using UsagePortal.Domain.Plans;
using UsagePortal.Domain.Storage;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Domain.UsageReads;

namespace UsagePortal.Domain;

public static class DomainExtensions
{
    /// <summary>
    /// The domain's services and background sweeps (ingestion, usage reads, invoicing, subscriptions, plans, credits, the
    /// outbox and e-mail delivery) with their options. The host provides <see cref="IPublicLinks"/> and the data layer.
    /// </summary>
    public static IHostApplicationBuilder AddUsagePortalDomain(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);
        var provider = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        if (provider == DatabaseProvider.Postgres)
        {
            services.AddSingleton<IDatabaseDialect, PostgresDialect>();
        }
        else
        {
            services.AddSingleton<IDatabaseDialect, SqliteDialect>();
        }

        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.SectionName));
        services.AddScoped<EmailOutbox>();
        services.AddSingleton<IOutboxHandler, EmailDelivery>();
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.SectionName));
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<OutboxProcessor>();
        services.AddHostedService<OutboxDispatcher>();

        services.AddScoped<CustomerService>();
        services.AddScoped<Invitations>();
        services.AddScoped<TeamService>();
        services.AddScoped<AdminOverviewQuery>();

        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.SectionName));
        services.AddSingleton<UsageNotifier>();
        services.AddHostedService<PostgresUsageListener>();
        services.AddScoped<IngestionService>();
        services.AddSingleton<MeterCache>();
        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<DistinctValueCache>();
        services.AddSingleton<CustomerDirectory>();
        services.AddScoped<UsageQuery>();
        services.AddScoped<CountedEventsQuery>();
        services.AddSingleton<DailyTierState>();
        services.AddScoped<MeterService>();

        services.AddSingleton<InvoicingSignal>();
        services.AddScoped<PeriodRater>();
        services.AddScoped<CostQuery>();
        services.AddScoped<CustomerUsageQuery>();
        services.AddScoped<PlanService>();
        services.AddScoped<SubscriptionService>();
        services.AddScoped<CreditService>();
        services.AddScoped<InvoiceCorrections>();
        services.AddOptions<InvoicingOptions>().Bind(configuration.GetSection(InvoicingOptions.SectionName));
        services.AddScoped<InvoiceRunner>();
        services.AddHostedService<InvoicingService>();

        // The invoice, catalog and console pages' reads and commands.
        services.AddScoped<InvoiceQueries>();
        services.AddScoped<InvoiceFinalization>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<Events.EventExplorer>();
        services.AddScoped<AuditQueries>();
        services.AddScoped<ActivityQuery>();

        // Budgets, alerts and the hard cap.
        services.AddOptions<BudgetOptions>().Bind(configuration.GetSection(BudgetOptions.SectionName));
        services.AddSingleton<BudgetWatch>();
        services.AddScoped<BudgetService>();
        services.AddScoped<BudgetEvaluator>();
        services.AddScoped<AlertQueries>();
        services.AddScoped<EntitlementQuery>();
        services.AddSingleton<EntitlementCache>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<IOutboxHandler, AlertWebhooks>();
        services.AddOptions<PaymentsOptions>().Bind(configuration.GetSection(PaymentsOptions.SectionName))
            .Validate(o => o.Provider is PaymentsOptions.Local or PaymentsOptions.StripeProvider,
                $"{PaymentsOptions.SectionName}:Provider must be '{PaymentsOptions.Local}' (the default) or '{PaymentsOptions.StripeProvider}'.")
            .Validate(o => o.Provider != PaymentsOptions.StripeProvider || !string.IsNullOrWhiteSpace(o.Stripe.SecretKey),
                $"{PaymentsOptions.SectionName}:Stripe:SecretKey is required with the Stripe provider (sk_test_… for Stripe's test mode).")
            .Validate(o => o.Provider != PaymentsOptions.StripeProvider || !string.IsNullOrWhiteSpace(o.Stripe.WebhookSecret),
                $"{PaymentsOptions.SectionName}:Stripe:WebhookSecret is required with the Stripe provider (the whsec_… of the webhook endpoint).")
            .Validate(o => Uri.TryCreate(o.Stripe.ApiBase, UriKind.Absolute, out _), $"{PaymentsOptions.SectionName}:Stripe:ApiBase must be an absolute URL.")
            .ValidateOnStart();
        var stripe = string.Equals(configuration[$"{PaymentsOptions.SectionName}:Provider"], PaymentsOptions.StripeProvider, StringComparison.Ordinal);
        if (stripe)
        {
            services.AddSingleton<IPaymentProvider, StripePaymentProvider>();
        }
        else
        {
            services.AddSingleton<IPaymentProvider, LocalPaymentProvider>();
        }

        services.AddScoped<StripeWebhooks>();
        services.AddSingleton<IOutboxHandler, PaymentPushHandler>();
        services.AddSingleton<IOutboxHandler, PaymentVoidHandler>();
        services.AddScoped<PaymentService>();
        services.AddHostedService<BudgetSweep>();
        return builder;
    }
}
