using System.Globalization;
using UsagePortal.Domain;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Metering;

namespace UsagePortal.Web.Api;

public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/customers/{externalId}/usage", GetUsageAsync)
            .WithName("GetCustomerUsage")
            .WithSummary("A customer's usage per meter and group over [from, to), with amounts rated through its plan; the current period, with its projection, when both are left out.")
            .WithDescription("Amounts are decimal strings in the plan's currency, each invoice line rounded once. For the current period the amounts and the total are the cost so far (the invoice if the period ended now: flat fee and minimum-commitment true-up included in the total) and `projection` is the projected total at the period's end with its 80 % band. For another range the charges of the plan phases in force over it are rated on the usage inside it (a range that is exactly one billing period totals as its invoice), and `projection` is null. Without a subscription over the range, amounts, total and projection are null.")
            .Produces<UsageAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public sealed record GroupAnswer(IReadOnlyDictionary<string, string?> Key, string Quantity, string? Amount);

    public sealed record MeterAnswer(string Meter, string Name, string Aggregation, string Quantity, string? Amount, IReadOnlyList<GroupAnswer> Groups);

    /// <summary>The projected total at the period's end and its 80 % band.</summary>
    public sealed record ProjectionAnswer(string Total, string Low, string High);

    public sealed record UsageAnswer(string Customer, DateTimeOffset From, DateTimeOffset To, string Currency, IReadOnlyList<MeterAnswer> Meters, string? Total, ProjectionAnswer? Projection);

    private static async Task<IResult> GetUsageAsync(string externalId, string? from, string? to, CustomerUsageQuery query, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var start = ParseTime(from, "from", errors);
        var end = ParseTime(to, "to", errors);
        if (errors.Count > 0)
        {
            return Problems.Validation("The usage range is not valid.", errors);
        }

        var answer = await query.GetAsync(externalId, start, end, cancellationToken);
        if (!answer.Succeeded)
        {
            return Problems.For(answer, "The usage range is not valid.");
        }

        var (customer, rangeStart, rangeEnd, report, amounts, projection) = answer.Value!;
        var currency = amounts?.Currency;
        return TypedResults.Ok(new UsageAnswer(
            customer.ExternalId,
            new DateTimeOffset(rangeStart, TimeSpan.Zero),
            new DateTimeOffset(rangeEnd, TimeSpan.Zero),
            currency?.Code ?? customer.Currency,
            report.Meters.Select(m => new MeterAnswer(m.Code, m.Name, m.Aggregation.ToWireName(), Decimals.ToText(m.Quantity), Format(amounts?.OfMeter(m.Code)),
                m.Groups.Select(g => new GroupAnswer(g.Key, Decimals.ToText(g.Quantity), Format(amounts?.OfGroup(m.Code, g.GroupKey)))).ToList())).ToList(),
            Format(amounts?.Total),
            projection is null || currency is null
                ? null
                : new ProjectionAnswer(currency.FormatMinorUnits(projection.Total), currency.FormatMinorUnits(projection.Low), currency.FormatMinorUnits(projection.High))));

        string? Format(long? minorUnits) => minorUnits is { } value ? currency!.FormatMinorUnits(value) : null;
    }

    private static DateTime? ParseTime(string? value, string field, List<FieldError> errors)
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

        errors.Add(new FieldError(field, "Give an RFC 3339 time with an offset, such as 2026-11-01T00:00:00Z."));
        return null;
    }
}
