using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;

namespace UsagePortal.Domain.Customers;

/// <summary>A customer as a filter offers it: enough to name it and to filter by it.</summary>
public sealed record CustomerChoice(int Id, string Name, string ExternalId);

/// <summary>Customers to pick in a filter (invoices, the audit log): a few at a time, found by name or external id.</summary>
public static class CustomerChoices
{
    /// <summary>At most <paramref name="max"/> customers whose name or external id contains <paramref name="text"/> (any case), by name.</summary>
    public static async Task<IReadOnlyList<CustomerChoice>> SearchAsync(UsagePortalDbContext db, string? text, int max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var customers = db.Customers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var term = text.Trim().ToLowerInvariant();
            customers = customers.Where(c => c.Name.ToLower().Contains(term) || c.ExternalId.ToLower().Contains(term));
        }

        return await customers.OrderBy(c => c.Name).ThenBy(c => c.Id).Take(max)
            .Select(c => new CustomerChoice(c.Id, c.Name, c.ExternalId)).ToListAsync(cancellationToken);
    }

    public static Task<CustomerChoice?> FindAsync(UsagePortalDbContext db, int id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Customers.AsNoTracking().Where(c => c.Id == id).Select(c => new CustomerChoice(c.Id, c.Name, c.ExternalId)).SingleOrDefaultAsync(cancellationToken);
    }
}
