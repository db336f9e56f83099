using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Storage;

namespace UsagePortal.Domain.Customers;

/// <summary>
/// A customer's fields as the admin form and the API send them. A null field keeps the stored value on an update, and
/// takes its default on a creation (time zone UTC, locale en-US, tax rate 0; the others are required).
/// </summary>
public sealed record CustomerFields(string? ExternalId, string? Name, string? Email, string? Currency, string? TimeZone, string? Locale, decimal? TaxRate);

/// <summary>What <see cref="CustomerService.SaveAsync"/> may do with the externalId it is given.</summary>
public enum CustomerSaveMode
{
    /// <summary>Create the customer, or update the one with this externalId (the API's <c>POST /customers</c>).</summary>
    CreateOrUpdate,

    /// <summary>Create only: an existing externalId is a conflict (the admin's "New customer" form).</summary>
    CreateOnly,

    /// <summary>Update only: an unknown externalId is not found (the admin's edit form).</summary>
    UpdateOnly,
}

/// <summary>The columns the admin's customer list sorts by.</summary>
public enum CustomerSort
{
    Name,
    ExternalId,
    Email,
    Currency,
    TimeZone,
    Users,
    CreatedAt,
}

/// <summary>One page of the admin's customer list: <paramref name="Search"/> matches name, externalId or e-mail (any case).</summary>
public sealed record CustomerListQuery(string? Search = null, CustomerSort Sort = CustomerSort.Name, bool Descending = false, int Page = 0, int PageSize = 25)
{
    public const int MaxPageSize = 200;
}

public sealed record CustomerListRow(int Id, string ExternalId, string Name, string Email, string Currency, string TimeZone, int Users, DateTime CreatedAt);

/// <summary>A page of rows and how many customers match in all.</summary>
public sealed record CustomerList(IReadOnlyList<CustomerListRow> Rows, int Total);

/// <summary>The stored customer, and whether the save created it (the API answers 201 then, 200 for an update).</summary>
public sealed record CustomerSaved(Customer Customer, bool Created);

/// <summary>Reads and writes customers (the operator's accounts).</summary>
public sealed class CustomerService(UsagePortalDbContext db, TimeProvider clock, IDatabaseDialect dialect)
{
    /// <summary>Two creations of one externalId at once race on its unique index; the loser tries again, as an update.</summary>
    private const int SaveAttempts = 3;

    /// <summary>The reason given when a new customer's externalId is taken.</summary>
    public const string ExternalIdTaken = "Another customer already has this external id.";

    /// <summary>The customer, or null.</summary>
    public Task<Customer?> FindAsync(int id, CancellationToken cancellationToken = default) =>
        db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <summary>The customer with this externalId, or null.</summary>
    public Task<Customer?> FindAsync(string externalId, CancellationToken cancellationToken = default) =>
        db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);

    /// <summary>The id of the customer with this externalId, or null.</summary>
    public Task<int?> IdOfAsync(string externalId, CancellationToken cancellationToken = default) =>
        db.Customers.Where(c => c.ExternalId == externalId).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);

    /// <summary>Every customer, by externalId (the API's list).</summary>
    public async Task<IReadOnlyList<Customer>> AllAsync(CancellationToken cancellationToken = default) =>
        await db.Customers.AsNoTracking().OrderBy(c => c.ExternalId).ToListAsync(cancellationToken);

    /// <summary>The organisation's name, as the portal's app bar shows it; null when there is no such customer.</summary>
    public Task<string?> NameAsync(int id, CancellationToken cancellationToken = default) =>
        db.Customers.AsNoTracking().Where(c => c.Id == id).Select(c => c.Name).SingleOrDefaultAsync(cancellationToken);

    /// <summary>One page of customers, searched and sorted in the database, with each one's number of users.</summary>
    public async Task<CustomerList> ListAsync(CustomerListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var customers = db.Customers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // lower() on both sides: case-insensitive on SQLite and PostgreSQL alike; Contains is translated without LIKE
            // wildcards, so a search for "50%" or "a_b" means those characters.
            var term = query.Search.Trim().ToLowerInvariant();
            customers = customers.Where(c => c.Name.ToLower().Contains(term) || c.ExternalId.ToLower().Contains(term) || c.Email.ToLower().Contains(term));
        }

        var total = await customers.CountAsync(cancellationToken);
        var rows = customers.Select(c => new
        {
            c.Id,
            c.ExternalId,
            c.Name,
            c.Email,
            c.Currency,
            c.TimeZone,
            Users = db.Users.Count(u => u.CustomerId == c.Id),
            c.CreatedAt,
        });
        var sorted = query.Sort switch
        {
            CustomerSort.ExternalId => Order(rows, r => r.ExternalId, query.Descending),
            CustomerSort.Email => Order(rows, r => r.Email, query.Descending),
            CustomerSort.Currency => Order(rows, r => r.Currency, query.Descending),
            CustomerSort.TimeZone => Order(rows, r => r.TimeZone, query.Descending),
            CustomerSort.Users => Order(rows, r => r.Users, query.Descending),
            CustomerSort.CreatedAt => Order(rows, r => r.CreatedAt, query.Descending),
            _ => Order(rows, r => r.Name, query.Descending),
        };
        var pageSize = Math.Clamp(query.PageSize, 1, CustomerListQuery.MaxPageSize);
        // The id last, so that rows with equal sort values keep one order from page to page.
        var found = await sorted.ThenBy(r => r.Id).Skip(Math.Max(0, query.Page) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        return new CustomerList([.. found.Select(r => new CustomerListRow(r.Id, r.ExternalId, r.Name, r.Email, r.Currency, r.TimeZone, r.Users, r.CreatedAt))], total);
    }

    /// <summary>
    /// Creates or updates a customer (by externalId, as <paramref name="mode"/> allows), checking every field and naming
    /// each bad one (<see cref="CustomerValidation"/>). The currency cannot change while a subscription runs or is not
    /// fully invoiced. A creation and its audit entry commit together; an update is audited with what changed (nothing
    /// is written when nothing changed). Answers the stored customer; <see cref="ResultKind.Conflict"/> for a taken
    /// externalId in <see cref="CustomerSaveMode.CreateOnly"/>, <see cref="ResultKind.NotFound"/> for an unknown one in
    /// <see cref="CustomerSaveMode.UpdateOnly"/>.
    /// </summary>
    public async Task<Result<Customer>> SaveAsync(CustomerFields fields, string actor, CustomerSaveMode mode = CustomerSaveMode.CreateOrUpdate, CancellationToken cancellationToken = default)
    {
        var outcome = await SaveWithOutcomeAsync(fields, actor, mode, cancellationToken);
        return outcome.Succeeded ? Result<Customer>.Ok(outcome.Value!.Customer) : Result<Customer>.Failed(outcome.Kind, outcome.Errors);
    }

    /// <summary>As <see cref="SaveAsync"/>, saying whether the customer was created.</summary>
    public async Task<Result<CustomerSaved>> SaveWithOutcomeAsync(CustomerFields fields, string actor, CustomerSaveMode mode = CustomerSaveMode.CreateOrUpdate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SaveOnceAsync(fields, actor, mode, cancellationToken);
            }
            catch (DbUpdateException exception) when (dialect.IsUniqueViolation(exception) && attempt < SaveAttempts)
            {
                // The same externalId was created concurrently: this request becomes an update of it, or a conflict.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<Result<CustomerSaved>> SaveOnceAsync(CustomerFields fields, string actor, CustomerSaveMode mode, CancellationToken cancellationToken)
    {
        var externalId = fields.ExternalId;
        var existing = string.IsNullOrEmpty(externalId) ? null : await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        if (existing is not null && mode == CustomerSaveMode.CreateOnly)
        {
            return Result<CustomerSaved>.Conflict("externalId", ExternalIdTaken);
        }

        if (existing is null && mode == CustomerSaveMode.UpdateOnly)
        {
            return Result<CustomerSaved>.NotFound($"No customer has externalId '{externalId}'.", "externalId");
        }

        var name = fields.Name?.Trim() ?? existing?.Name;
        var email = fields.Email?.Trim() ?? existing?.Email;
        var currency = fields.Currency?.Trim() ?? existing?.Currency;
        var timeZone = fields.TimeZone?.Trim() ?? existing?.TimeZone ?? "UTC";
        var locale = fields.Locale?.Trim() ?? existing?.Locale ?? "en-US";
        var taxRate = fields.TaxRate ?? existing?.TaxRate ?? 0m;
        var errors = CustomerValidation.Validate(externalId, name, email, currency, timeZone, locale, taxRate).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        if (existing is not null && currency != existing.Currency
            && await db.Subscriptions.AnyAsync(s => s.CustomerId == existing.Id && (s.EndsAt == null || s.EndsAt > now || s.NextPeriodStart != null), cancellationToken))
        {
            errors.Add(new FieldError("currency", $"cannot change from {existing.Currency} while the customer has a subscription that is running or not fully invoiced."));
        }

        if (errors.Count > 0)
        {
            return Result<CustomerSaved>.Invalid(errors);
        }

        if (existing is null)
        {
            var customer = new Customer
            {
                ExternalId = externalId!,
                Name = name!,
                Email = email!,
                Currency = currency!,
                TimeZone = timeZone,
                Locale = locale,
                TaxRate = taxRate,
                CreatedAt = now,
            };
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Customers.Add(customer);
            await db.SaveChangesAsync(cancellationToken);
            db.Audit(clock, actor, "customer.created", $"customer:{customer.ExternalId}", AuditChange.Created(StateOf(customer)), $"name={customer.Name}", customer.Id);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Result<CustomerSaved>.Ok(new CustomerSaved(customer, Created: true));
        }

        var before = StateOf(existing);
        existing.Name = name!;
        existing.Email = email!;
        existing.Currency = currency!;
        existing.TimeZone = timeZone;
        existing.Locale = locale;
        existing.TaxRate = taxRate;
        var change = AuditChange.Of(before, StateOf(existing));
        if (change.Changes)
        {
            var changed = change.Rows().Where(r => r.Changed).Select(r => $"{r.Field}={r.After}");
            db.Audit(clock, actor, "customer.updated", $"customer:{existing.ExternalId}", change, string.Join(", ", changed), existing.Id);
            await db.SaveChangesAsync(cancellationToken);
        }

        return Result<CustomerSaved>.Ok(new CustomerSaved(existing, Created: false));
    }

    /// <summary>Every field of a customer as the audit log records it (the tax rate as its invariant text, as the API writes it).</summary>
    private static AuditState StateOf(Customer customer) => new()
    {
        { "externalId", customer.ExternalId },
        { "name", customer.Name },
        { "email", customer.Email },
        { "currency", customer.Currency },
        { "timeZone", customer.TimeZone },
        { "locale", customer.Locale },
        { "taxRate", Decimals.ToText(customer.TaxRate) },
    };

    private static IOrderedQueryable<T> Order<T, TKey>(IQueryable<T> rows, System.Linq.Expressions.Expression<Func<T, TKey>> key, bool descending) =>
        descending ? rows.OrderByDescending(key) : rows.OrderBy(key);
}
