using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Auditing;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Data.Infrastructure;
using UsagePortal.Data.Metering;
using UsagePortal.Data.Outbox;
using UsagePortal.Data.Payments;

namespace UsagePortal.Data;

/// <summary>The one database context of the product, Identity included.</summary>
/// <remarks>
/// Each provider keeps its own migrations, in its own assembly (UsagePortal.Data.Sqlite,
/// UsagePortal.Data.Postgres). After a model change, add a migration to both, from the repository root:
/// <code>
/// dotnet tool restore
/// dotnet ef migrations add NAME --project src/UsagePortal.Data.Sqlite --startup-project src/UsagePortal.Data.Design -- --provider Sqlite
/// dotnet ef migrations add NAME --project src/UsagePortal.Data.Postgres --startup-project src/UsagePortal.Data.Design -- --provider Postgres
/// </code>
/// A test fails while either set lags behind the model.
/// </remarks>
public sealed class UsagePortalDbContext(DbContextOptions<UsagePortalDbContext> options)
    : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Meter> Meters => Set<Meter>();

    public DbSet<MeterVersion> MeterVersions => Set<MeterVersion>();

    public DbSet<UsageEvent> UsageEvents => Set<UsageEvent>();

    public DbSet<UsageRollup> UsageRollups => Set<UsageRollup>();

    public DbSet<UsageDistinctValue> UsageDistinctValues => Set<UsageDistinctValue>();

    public DbSet<UsageDailyRollup> UsageDailyRollups => Set<UsageDailyRollup>();

    public DbSet<UsageDailyDistinctValue> UsageDailyDistinctValues => Set<UsageDailyDistinctValue>();

    public DbSet<RollupTierState> RollupTierStates => Set<RollupTierState>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Plan> Plans => Set<Plan>();

    public DbSet<PlanVersion> PlanVersions => Set<PlanVersion>();

    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    public DbSet<SubscriptionPhase> SubscriptionPhases => Set<SubscriptionPhase>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();

    public DbSet<CreditNote> CreditNotes => Set<CreditNote>();

    public DbSet<DocumentSequence> DocumentSequences => Set<DocumentSequence>();

    public DbSet<CreditGrant> CreditGrants => Set<CreditGrant>();

    public DbSet<CreditLedgerEntry> CreditLedger => Set<CreditLedgerEntry>();

    public DbSet<Budget> Budgets => Set<Budget>();

    public DbSet<BudgetThreshold> BudgetThresholds => Set<BudgetThreshold>();

    public DbSet<AlertFiring> AlertFirings => Set<AlertFiring>();

    public DbSet<AlertDelivery> AlertDeliveries => Set<AlertDelivery>();

    public DbSet<PaymentAttempt> PaymentAttempts => Set<PaymentAttempt>();

    public DbSet<ProviderEvent> ProviderEvents => Set<ProviderEvent>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC. SQLite hands DateTime back as Unspecified; the converter restores the kind
        // so that values compare and serialise the same on both providers.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ApplicationUser>(user =>
        {
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.HasOne(u => u.Customer).WithMany().HasForeignKey(u => u.CustomerId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Customer>(customer =>
        {
            customer.HasIndex(c => c.ExternalId).IsUnique();
            customer.Property(c => c.ExternalId).HasMaxLength(256);
            customer.Property(c => c.Name).HasMaxLength(200);
            customer.Property(c => c.Email).HasMaxLength(256);
            customer.Property(c => c.Currency).HasMaxLength(3);
            customer.Property(c => c.TimeZone).HasMaxLength(64);
            customer.Property(c => c.Locale).HasMaxLength(35);
            customer.Property(c => c.ProviderCustomerId).HasMaxLength(255);
            customer.Property(c => c.TaxRate).HasPrecision(9, 6);
        });

        builder.Entity<AuditEntry>(entry =>
        {
            entry.HasIndex(e => e.At);
            entry.HasIndex(e => new { e.CustomerId, e.At });
            entry.Property(e => e.Actor).HasMaxLength(256);
            entry.Property(e => e.Action).HasMaxLength(100);
            entry.Property(e => e.Subject).HasMaxLength(300);
        });

        builder.Entity<OutboxMessage>(message =>
        {
            message.HasIndex(m => new { m.SentAt, m.NextAttemptAt });
            message.Property(m => m.Kind).HasMaxLength(50);
        });

        builder.Entity<DataProtectionKey>(key => key.Property(k => k.FriendlyName).HasMaxLength(200));

        builder.Entity<Meter>(meter =>
        {
            meter.HasIndex(m => m.Code).IsUnique();
            meter.Property(m => m.Code).HasMaxLength(64);
            meter.Property(m => m.Name).HasMaxLength(200);
            meter.HasMany(m => m.Versions).WithOne(v => v.Meter).HasForeignKey(v => v.MeterId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<MeterVersion>(version =>
        {
            version.HasIndex(v => new { v.MeterId, v.Version }).IsUnique();
            version.Property(v => v.EventType).HasMaxLength(256);
            version.Property(v => v.Aggregation).HasMaxLength(20);
            version.Property(v => v.Property).HasMaxLength(256);
            version.Property(v => v.CreatedBy).HasMaxLength(256);
        });

        builder.Entity<UsageEvent>(usage =>
        {
            usage.HasIndex(e => new { e.Source, e.EventId }).IsUnique();
            usage.HasIndex(e => new { e.CustomerId, e.Time });
            usage.Property(e => e.Source).HasMaxLength(256);
            usage.Property(e => e.EventId).HasMaxLength(256);
            usage.Property(e => e.Type).HasMaxLength(256);
            // No foreign key to Customers: ingestion stores only events whose subject it resolved to a customer, and
            // customers are never deleted, so the check would be one more index probe per event (a fifth of
            // PostgreSQL's ingestion time) that can never fail.
        });

        ConfigureRollups(builder.Entity<UsageRollup>());
        ConfigureRollups(builder.Entity<UsageDailyRollup>());
        ConfigureDistinctValues(builder.Entity<UsageDistinctValue>());
        ConfigureDistinctValues(builder.Entity<UsageDailyDistinctValue>());
        builder.Entity<RollupTierState>().Property(t => t.Id).ValueGeneratedNever();

        builder.Entity<ApiKey>(key =>
        {
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.KeyHash).HasMaxLength(64);
            key.Property(k => k.CreatedBy).HasMaxLength(256);
        });

        ConfigureBilling(builder);
    }

    private static void ConfigureRollups<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T> rollup)
        where T : RollupRow
    {
        // Time before meter: a customer's rows over a range are one index range, however long its history.
        rollup.HasKey(r => new { r.CustomerId, r.BucketStart, r.MeterId, r.GroupKey });
        rollup.Property(r => r.GroupKey).HasMaxLength(1024);
        // No precision limit: PostgreSQL keeps every digit a decimal can hold (numeric without a typmod).
        rollup.HasOne<Meter>().WithMany().HasForeignKey(r => r.MeterId).OnDelete(DeleteBehavior.Restrict);
    }

    private static void ConfigureDistinctValues<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T> distinct)
        where T : DistinctValueRow
    {
        distinct.HasKey(d => new { d.CustomerId, d.BucketStart, d.MeterId, d.GroupKey, d.Value });
        distinct.Property(d => d.GroupKey).HasMaxLength(1024);
        distinct.Property(d => d.Value).HasMaxLength(512);
    }

    private static void ConfigureBilling(ModelBuilder builder)
    {
        builder.Entity<Plan>(plan =>
        {
            plan.HasIndex(p => p.Code).IsUnique();
            plan.Property(p => p.Code).HasMaxLength(64);
            plan.HasMany(p => p.Versions).WithOne(v => v.Plan).HasForeignKey(v => v.PlanId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<PlanVersion>(version =>
        {
            version.HasIndex(v => new { v.PlanId, v.Version }).IsUnique();
            version.Property(v => v.Name).HasMaxLength(200);
            version.Property(v => v.Currency).HasMaxLength(3);
            version.Property(v => v.Interval).HasMaxLength(20);
            version.Property(v => v.CreatedBy).HasMaxLength(256);
        });

        builder.Entity<Subscription>(subscription =>
        {
            subscription.HasIndex(s => s.CustomerId);
            // The invoicer's sweep: subscriptions whose next period is due.
            subscription.HasIndex(s => s.NextPeriodEnd);
            subscription.Property(s => s.BillingAnchor).HasMaxLength(20);
            subscription.Property(s => s.TimeZone).HasMaxLength(64);
            subscription.Property(s => s.CreatedBy).HasMaxLength(256);
            subscription.Property(s => s.BillingError).HasMaxLength(1000);
            subscription.HasOne<Customer>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.Restrict);
            subscription.HasMany(s => s.Phases).WithOne().HasForeignKey(p => p.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<SubscriptionPhase>(phase =>
        {
            phase.HasIndex(p => new { p.SubscriptionId, p.StartsAt }).IsUnique();
            phase.HasOne(p => p.PlanVersion).WithMany().HasForeignKey(p => p.PlanVersionId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Invoice>(invoice =>
        {
            // One invoice per subscription and period, whatever number of nodes run the invoicer.
            invoice.HasIndex(i => new { i.SubscriptionId, i.PeriodStart }).IsUnique();
            invoice.HasIndex(i => i.Number).IsUnique();
            invoice.HasIndex(i => new { i.CustomerId, i.PeriodStart });
            invoice.HasIndex(i => new { i.Status, i.FinalizesAt });
            // The admin's list: newest period first, whole or by status or payment state, read a page at a time.
            invoice.HasIndex(i => i.PeriodStart);
            invoice.HasIndex(i => new { i.Status, i.PeriodStart });
            invoice.HasIndex(i => new { i.PaymentState, i.PeriodStart });
            invoice.Property(i => i.Number).HasMaxLength(20);
            invoice.Property(i => i.Status).HasMaxLength(20);
            invoice.Property(i => i.Currency).HasMaxLength(3);
            invoice.Property(i => i.TaxRate).HasPrecision(9, 6);
            invoice.Property(i => i.VoidReason).HasMaxLength(500);
            invoice.Property(i => i.PaymentState).HasMaxLength(20);
            invoice.Property(i => i.PaymentProvider).HasMaxLength(20);
            invoice.Property(i => i.ProviderInvoiceId).HasMaxLength(255);
            invoice.Property(i => i.PaymentUrl).HasMaxLength(2000);
            invoice.HasIndex(i => i.ProviderInvoiceId);
            invoice.HasOne<Subscription>().WithMany().HasForeignKey(i => i.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
            invoice.HasOne<Customer>().WithMany().HasForeignKey(i => i.CustomerId).OnDelete(DeleteBehavior.Restrict);
            invoice.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<InvoiceLine>(line =>
        {
            line.HasIndex(l => new { l.InvoiceId, l.Position }).IsUnique();
            line.Property(l => l.Kind).HasMaxLength(30);
            line.Property(l => l.Description).HasMaxLength(500);
            line.Property(l => l.MeterCode).HasMaxLength(64);
            line.Property(l => l.GroupKey).HasMaxLength(1024);
        });

        builder.Entity<CreditNote>(note =>
        {
            note.HasIndex(n => n.Number).IsUnique();
            note.HasIndex(n => n.InvoiceId);
            note.Property(n => n.Number).HasMaxLength(20);
            note.Property(n => n.Reason).HasMaxLength(500);
            note.Property(n => n.CreatedBy).HasMaxLength(256);
            note.HasOne<Invoice>().WithMany().HasForeignKey(n => n.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<DocumentSequence>(sequence =>
        {
            sequence.HasKey(s => s.Name);
            sequence.Property(s => s.Name).HasMaxLength(30);
            sequence.HasData(new DocumentSequence { Name = DocumentSequence.Invoices }, new DocumentSequence { Name = DocumentSequence.CreditNotes });
        });

        builder.Entity<CreditGrant>(grant =>
        {
            grant.HasIndex(g => g.CustomerId);
            grant.Property(g => g.Currency).HasMaxLength(3);
            grant.Property(g => g.Reason).HasMaxLength(500);
            grant.Property(g => g.CreatedBy).HasMaxLength(256);
            grant.HasOne<Customer>().WithMany().HasForeignKey(g => g.CustomerId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<CreditLedgerEntry>(entry =>
        {
            entry.HasIndex(e => new { e.CustomerId, e.At });
            entry.HasIndex(e => e.CreditGrantId);
            entry.Property(e => e.Kind).HasMaxLength(20);
            entry.Property(e => e.Note).HasMaxLength(500);
            entry.HasOne<CreditGrant>().WithMany().HasForeignKey(e => e.CreditGrantId).OnDelete(DeleteBehavior.Restrict);
        });

        ConfigureBudgets(builder);
        ConfigurePayments(builder);
    }

    private static void ConfigurePayments(ModelBuilder builder)
    {
        builder.Entity<PaymentAttempt>(attempt =>
        {
            attempt.HasIndex(a => new { a.InvoiceId, a.At });
            attempt.Property(a => a.Provider).HasMaxLength(20);
            attempt.Property(a => a.Outcome).HasMaxLength(20);
            attempt.Property(a => a.Detail).HasMaxLength(2000);
            attempt.Property(a => a.RequestedBy).HasMaxLength(200);
            attempt.HasOne<Invoice>().WithMany().HasForeignKey(a => a.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ProviderEvent>(providerEvent =>
        {
            // Stored before processing, unique by the provider's id: a replayed event finds itself here and changes nothing.
            providerEvent.HasKey(e => e.Id);
            providerEvent.Property(e => e.Id).HasMaxLength(255);
            providerEvent.Property(e => e.Provider).HasMaxLength(20);
            providerEvent.Property(e => e.Type).HasMaxLength(100);
            providerEvent.Property(e => e.ObjectId).HasMaxLength(255);
            providerEvent.Property(e => e.Outcome).HasMaxLength(500);
            providerEvent.HasIndex(e => e.InvoiceId);
        });
    }

    private static void ConfigureBudgets(ModelBuilder builder)
    {
        builder.Entity<Budget>(budget =>
        {
            budget.HasKey(b => b.CustomerId);
            budget.Property(b => b.CustomerId).ValueGeneratedNever();
            budget.Property(b => b.EmailRecipients).HasMaxLength(2000);
            budget.Property(b => b.WebhookUrl).HasMaxLength(2000);
            budget.Property(b => b.WebhookSecret).HasMaxLength(1000);
            budget.HasOne<Customer>().WithOne().HasForeignKey<Budget>(b => b.CustomerId).OnDelete(DeleteBehavior.Cascade);
            budget.HasMany(b => b.Thresholds).WithOne().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<BudgetThreshold>(threshold =>
        {
            threshold.HasIndex(t => t.CustomerId);
            threshold.Property(t => t.Percent).HasPrecision(9, 2);
            threshold.Property(t => t.Basis).HasMaxLength(20);
        });

        builder.Entity<AlertFiring>(firing =>
        {
            // Each threshold (and the cap) fires once per period: a second node's insert of the same alert fails here.
            firing.HasIndex(f => new { f.CustomerId, f.Key, f.PeriodStart }).IsUnique();
            firing.HasIndex(f => new { f.CustomerId, f.FiredAt });
            firing.Property(f => f.Key).HasMaxLength(50);
            firing.Property(f => f.Type).HasMaxLength(50);
            firing.Property(f => f.Basis).HasMaxLength(20);
            firing.Property(f => f.Currency).HasMaxLength(3);
            firing.Property(f => f.Message).HasMaxLength(500);
            firing.HasOne<Customer>().WithMany().HasForeignKey(f => f.CustomerId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<AlertDelivery>(delivery =>
        {
            delivery.HasIndex(d => d.AlertFiringId);
            delivery.HasIndex(d => d.CustomerId);
            delivery.Property(d => d.Channel).HasMaxLength(20);
            delivery.Property(d => d.Target).HasMaxLength(2000);
            delivery.HasOne<AlertFiring>().WithMany().HasForeignKey(d => d.AlertFiringId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
