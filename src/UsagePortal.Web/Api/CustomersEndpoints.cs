using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Domain;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.Plans;
using UsagePortal.Domain.Storage;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Api;

public static class CustomersEndpoints
{
    /// <summary>
    /// A customer to create, or to update when its externalId exists. On creation <c>timeZone</c> defaults to UTC,
    /// <c>locale</c> to en-US and <c>taxRate</c> to 0; on an update a field left out keeps its value.
    /// </summary>
    public sealed record CustomerRequest(string? ExternalId, string? Name, string? Email, string? Currency, string? TimeZone, decimal? TaxRate, string? Locale);

    /// <summary>The customer shape of PRODUCT.md; <c>taxRate</c> is a fraction as a decimal string ("0.2" = 20 %).</summary>
    public sealed record CustomerAnswer(string ExternalId, string Name, string Email, string Currency, string TimeZone, string TaxRate, string Locale, DateTimeOffset CreatedAt);

    /// <summary>What a field of the wrong kind must be instead, in the API's words.</summary>
    private static readonly Dictionary<string, string> FieldReasons = new()
    {
        ["taxRate"] = CustomerValidation.TaxRateReason,
    };

    public static RouteGroupBuilder MapCustomersEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/customers", SaveAsync)
            .WithName("SaveCustomer")
            .WithSummary("Create a customer, or update the one with this externalId.")
            .Produces<CustomerAnswer>(StatusCodes.Status201Created)
            .Produces<CustomerAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/customers", ListAsync).WithName("ListCustomers").Produces<List<CustomerAnswer>>();
        api.MapGet("/customers/{externalId}", GetAsync)
            .WithName("GetCustomer")
            .Produces<CustomerAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static CustomerAnswer Answer(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return new(customer.ExternalId, customer.Name, customer.Email, customer.Currency, customer.TimeZone, Decimals.ToText(customer.TaxRate), customer.Locale,
            new DateTimeOffset(DateTime.SpecifyKind(customer.CreatedAt, DateTimeKind.Utc), TimeSpan.Zero));
    }

    private static async Task<IResult> SaveAsync(HttpRequest request, UsagePortalDbContext db, TimeProvider clock, IDatabaseDialect dialect, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiJson.ReadAsync<CustomerRequest>(request, cancellationToken, FieldReasons);
        if (problem is not null)
        {
            return problem;
        }

        var actor = ApiKeys.Actor(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SaveOnceAsync(body!, db, clock, actor, cancellationToken);
            }
            catch (DbUpdateException exception) when (dialect.IsUniqueViolation(exception) && attempt < 3)
            {
                // The same externalId was created concurrently: this request becomes an update of it.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static async Task<IResult> SaveOnceAsync(CustomerRequest body, UsagePortalDbContext db, TimeProvider clock, string actor, CancellationToken cancellationToken)
    {
        var externalId = body.ExternalId;
        var existing = string.IsNullOrEmpty(externalId) ? null : await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        var name = body.Name?.Trim() ?? existing?.Name;
        var email = body.Email?.Trim() ?? existing?.Email;
        var currency = body.Currency?.Trim() ?? existing?.Currency;
        var timeZone = body.TimeZone?.Trim() ?? existing?.TimeZone ?? "UTC";
        var locale = body.Locale?.Trim() ?? existing?.Locale ?? "en-US";
        var taxRate = body.TaxRate ?? existing?.TaxRate ?? 0m;
        var errors = CustomerValidation.Validate(externalId, name, email, currency, timeZone, locale, taxRate)
            .Select(e => new FieldError(e.Field, e.Reason))
            .ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        if (existing is not null && currency != existing.Currency
            && await db.Subscriptions.AnyAsync(s => s.CustomerId == existing.Id && (s.EndsAt == null || s.EndsAt > now || s.NextPeriodStart != null), cancellationToken))
        {
            errors.Add(new FieldError("currency", $"cannot change from {existing.Currency} while the customer has a subscription that is running or not fully invoiced."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation("The customer is not valid; nothing was changed.", errors);
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
            db.Audit(clock, actor, "customer.created", $"customer:{customer.ExternalId}", $"name={customer.Name}", customer.Id);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/v1/customers/{Uri.EscapeDataString(customer.ExternalId)}", Answer(customer));
        }

        var changes = new List<string>();
        Change(existing.Name, name!, v => existing.Name = v, "name");
        Change(existing.Email, email!, v => existing.Email = v, "email");
        Change(existing.Currency, currency!, v => existing.Currency = v, "currency");
        Change(existing.TimeZone, timeZone, v => existing.TimeZone = v, "timeZone");
        Change(existing.Locale, locale, v => existing.Locale = v, "locale");
        if (existing.TaxRate != taxRate)
        {
            changes.Add($"taxRate={Decimals.ToText(taxRate)}");
            existing.TaxRate = taxRate;
        }

        if (changes.Count > 0)
        {
            db.Audit(clock, actor, "customer.updated", $"customer:{existing.ExternalId}", string.Join(", ", changes), existing.Id);
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(Answer(existing));

        void Change(string current, string value, Action<string> set, string field)
        {
            if (!string.Equals(current, value, StringComparison.Ordinal))
            {
                changes.Add($"{field}={value}");
                set(value);
            }
        }
    }

    private static async Task<IResult> ListAsync(UsagePortalDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.Customers.AsNoTracking().OrderBy(c => c.ExternalId).ToListAsync(cancellationToken)).Select(Answer).ToList());

    private static async Task<IResult> GetAsync(string externalId, UsagePortalDbContext db, CancellationToken cancellationToken) =>
        await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken) is { } customer
            ? TypedResults.Ok(Answer(customer))
            : Problems.NotFound($"No customer has externalId '{externalId}'.");
}
