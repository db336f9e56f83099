using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Auditing;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Domain.Auditing;

/// <summary>One page of the audit log, newest first unless told otherwise, with its filters.</summary>
public sealed record AuditQuery
{
    public int Page { get; init; }

    public int PageSize { get; init; } = 50;

    /// <summary>Entries whose actor contains this text (any case), e.g. an e-mail or <c>api-key:3</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>Entries of exactly this action, e.g. <c>invoice.voided</c>.</summary>
    public string? Action { get; init; }

    /// <summary>Entries about this organisation.</summary>
    public int? CustomerId { get; init; }

    /// <summary>Entries at or after this moment (UTC).</summary>
    public DateTime? From { get; init; }

    /// <summary>Entries before this moment (UTC).</summary>
    public DateTime? Until { get; init; }

    public bool OldestFirst { get; init; }
}

/// <summary>An entry and the name of the organisation it concerns, if any.</summary>
public sealed record AuditRow(AuditEntry Entry, string? CustomerName);

public sealed record AuditPage(IReadOnlyList<AuditRow> Items, int TotalItems);

/// <summary>Reads the audit log for the admin console.</summary>
public sealed class AuditQueries(UsagePortalDbContext db)
{
    public async Task<AuditPage> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim().ToLowerInvariant();
            entries = entries.Where(e => e.Actor.ToLower().Contains(actor));
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            entries = entries.Where(e => e.Action == action);
        }

        if (query.CustomerId is { } customerId)
        {
            entries = entries.Where(e => e.CustomerId == customerId);
        }

        if (query.From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }

        if (query.Until is { } until)
        {
            entries = entries.Where(e => e.At < until);
        }

        var total = await entries.CountAsync(cancellationToken);
        // The id breaks ties of one moment in the order the entries were written.
        var ordered = query.OldestFirst ? entries.OrderBy(e => e.At).ThenBy(e => e.Id) : entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id);
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var rows = await (from entry in ordered.Skip(Math.Max(0, query.Page) * pageSize).Take(pageSize)
                          join customer in db.Customers.AsNoTracking() on entry.CustomerId equals customer.Id into concerned
                          from customer in concerned.DefaultIfEmpty()
                          select new { Entry = entry, CustomerName = customer == null ? null : customer.Name })
            .ToListAsync(cancellationToken);
        // The join may not keep the page's order on every database: order the page again in memory.
        var page = query.OldestFirst ? rows.OrderBy(r => r.Entry.At).ThenBy(r => r.Entry.Id) : rows.OrderByDescending(r => r.Entry.At).ThenByDescending(r => r.Entry.Id);
        return new AuditPage([.. page.Select(r => new AuditRow(r.Entry, r.CustomerName))], total);
    }

    /// <summary>Every action the log has recorded, for the action filter.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken = default) =>
        await db.AuditEntries.AsNoTracking().Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);

    public Task<IReadOnlyList<CustomerChoice>> SearchCustomersAsync(string? text, int max = 20, CancellationToken cancellationToken = default) =>
        CustomerChoices.SearchAsync(db, text, max, cancellationToken);

    public Task<CustomerChoice?> FindCustomerAsync(int id, CancellationToken cancellationToken = default) =>
        CustomerChoices.FindAsync(db, id, cancellationToken);
}
