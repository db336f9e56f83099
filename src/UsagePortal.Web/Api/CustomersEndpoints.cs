using UsagePortal.Data.Customers;
using UsagePortal.Domain;
using UsagePortal.Domain.Customers;

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

    private static async Task<IResult> SaveAsync(HttpRequest request, CustomerService customers, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiJson.ReadAsync<CustomerRequest>(request, cancellationToken, FieldReasons);
        if (problem is not null)
        {
            return problem;
        }

        var fields = new CustomerFields(body!.ExternalId, body.Name, body.Email, body.Currency, body.TimeZone, body.Locale, body.TaxRate);
        var saved = await customers.SaveWithOutcomeAsync(fields, ApiKeys.Actor(request), CustomerSaveMode.CreateOrUpdate, cancellationToken);
        if (!saved.Succeeded)
        {
            return Problems.For(saved, "The customer is not valid; nothing was changed.");
        }

        var (customer, created) = saved.Value!;
        return created
            ? TypedResults.Created($"/api/v1/customers/{Uri.EscapeDataString(customer.ExternalId)}", Answer(customer))
            : TypedResults.Ok(Answer(customer));
    }

    private static async Task<IResult> ListAsync(CustomerService customers, CancellationToken cancellationToken) =>
        TypedResults.Ok((await customers.AllAsync(cancellationToken)).Select(Answer).ToList());

    private static async Task<IResult> GetAsync(string externalId, CustomerService customers, CancellationToken cancellationToken) =>
        await customers.FindAsync(externalId, cancellationToken) is { } customer
            ? TypedResults.Ok(Answer(customer))
            : Problems.NotFound($"No customer has externalId '{externalId}'.");
}
