using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Metering;
using UsagePortal.Web.Metering;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Api;

public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/customers/{externalId}/usage", GetUsageAsync)
            .WithName("GetCustomerUsage")
            .WithSummary("A customer's usage per meter and group over [from, to); the current period when both are left out.")
            .Produces<UsageAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public sealed record GroupAnswer(IReadOnlyDictionary<string, string?> Key, string Quantity);

    public sealed record MeterAnswer(string Meter, string Name, string Aggregation, string Quantity, IReadOnlyList<GroupAnswer> Groups);

    public sealed record UsageAnswer(string Customer, DateTimeOffset From, DateTimeOffset To, string Currency, IReadOnlyList<MeterAnswer> Meters);

    private static async Task<IResult> GetUsageAsync(string externalId, string? from, string? to, UsagePortalDbContext db, UsageQuery usage, TimeProvider clock, CancellationToken cancellationToken)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.ExternalId == externalId, cancellationToken);
        if (customer is null)
        {
            return Problems.NotFound($"No customer has externalId '{externalId}'.");
        }

        var errors = new List<ProblemError>();
        var start = ParseTime(from, "from", errors);
        var end = ParseTime(to, "to", errors);
        if (errors.Count == 0 && (start is null) != (end is null))
        {
            errors.Add(new ProblemError(start is null ? "from" : "to", "Give both from and to, or neither for the current period."));
        }

        if (errors.Count == 0 && start >= end)
        {
            errors.Add(new ProblemError("to", "to must be after from."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation("The usage range is not valid.", errors);
        }

        var (periodStart, periodEnd) = start is null
            ? BillingPeriods.CalendarMonth(CustomerFormat.For(customer).TimeZone, clock.GetUtcNow().UtcDateTime)
            : (start.Value, end!.Value);
        var report = await usage.GetAsync(customer.Id, periodStart, periodEnd, cancellationToken);
        return TypedResults.Ok(new UsageAnswer(
            customer.ExternalId,
            new DateTimeOffset(report.From, TimeSpan.Zero),
            new DateTimeOffset(report.To, TimeSpan.Zero),
            customer.Currency,
            report.Meters.Select(m => new MeterAnswer(m.Code, m.Name, m.Aggregation.ToWireName(), ApiJson.Decimal(m.Quantity),
                m.Groups.Select(g => new GroupAnswer(g.Key, ApiJson.Decimal(g.Quantity))).ToList())).ToList()));
    }

    private static DateTime? ParseTime(string? value, string field, List<ProblemError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            && (value.EndsWith('Z') || value.EndsWith("z", StringComparison.Ordinal) || value.Length > 19 && (value[^6] == '+' || value[^6] == '-')))
        {
            return parsed.UtcDateTime;
        }

        errors.Add(new ProblemError(field, "Give an RFC 3339 time with an offset, such as 2026-11-01T00:00:00Z."));
        return null;
    }
}
