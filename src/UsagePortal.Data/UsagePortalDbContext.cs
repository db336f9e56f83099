using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Auditing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Data.Infrastructure;
using UsagePortal.Data.Metering;
using UsagePortal.Data.Outbox;

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

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

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
            usage.HasOne<Customer>().WithMany().HasForeignKey(e => e.CustomerId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<UsageRollup>(rollup =>
        {
            rollup.HasKey(r => new { r.CustomerId, r.MeterId, r.BucketStart, r.GroupKey });
            rollup.Property(r => r.GroupKey).HasMaxLength(1024);
            // No precision limit: PostgreSQL keeps every digit a decimal can hold (numeric without a typmod).
            rollup.HasOne<Meter>().WithMany().HasForeignKey(r => r.MeterId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<UsageDistinctValue>(distinct =>
        {
            distinct.HasKey(d => new { d.CustomerId, d.MeterId, d.BucketStart, d.GroupKey, d.Value });
            distinct.Property(d => d.GroupKey).HasMaxLength(1024);
            distinct.Property(d => d.Value).HasMaxLength(512);
        });

        builder.Entity<ApiKey>(key =>
        {
            key.HasIndex(k => k.KeyHash).IsUnique();
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.KeyHash).HasMaxLength(64);
            key.Property(k => k.CreatedBy).HasMaxLength(256);
        });
    }
}
