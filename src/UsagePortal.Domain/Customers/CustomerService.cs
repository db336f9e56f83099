using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Customers;

namespace UsagePortal.Domain.Customers;

/// <summary>Reads and writes customers (the operator's accounts).</summary>
public sealed class CustomerService(UsagePortalDbContext db)
{
    /// <summary>The customer, or null.</summary>
    public Task<Customer?> FindAsync(int id, CancellationToken cancellationToken = default) =>
        db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <summary>The organisation's name, as the portal's app bar shows it; null when there is no such customer.</summary>
    public Task<string?> NameAsync(int id, CancellationToken cancellationToken = default) =>
        db.Customers.AsNoTracking().Where(c => c.Id == id).Select(c => c.Name).SingleOrDefaultAsync(cancellationToken);
}
