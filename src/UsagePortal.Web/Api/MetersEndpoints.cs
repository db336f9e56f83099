using UsagePortal.Domain;
using UsagePortal.Domain.Meters;
using UsagePortal.Metering;

namespace UsagePortal.Web.Api;

public static class MetersEndpoints
{
    public sealed record MeterRequest(string? Code, string? Name, string? EventType, string? Aggregation, string? Property, Dictionary<string, List<string>>? Filters, List<string>? GroupBy);

    public sealed record MeterAnswer(string Code, string Name, string EventType, string Aggregation, string? Property,
        IReadOnlyDictionary<string, IReadOnlyList<string>> Filters, IReadOnlyList<string> GroupBy, int Version, DateTimeOffset EffectiveFrom);

    public static RouteGroupBuilder MapMetersEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/meters", CreateAsync)
            .WithName("SaveMeter")
            .WithSummary("Create a meter, or change one: a meter already in use changes from the next calendar month.")
            .Produces<MeterAnswer>(StatusCodes.Status201Created)
            .Produces<MeterAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/meters", ListAsync).WithName("ListMeters").Produces<List<MeterAnswer>>();
        return api;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, MeterService meters, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiJson.ReadAsync<MeterRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<FieldError>();
        MeterAggregation aggregation = default;
        if (body!.Aggregation is not null && !MeterAggregationNames.TryParse(body.Aggregation, out aggregation))
        {
            errors.Add(new FieldError("aggregation", $"aggregation must be one of {string.Join(", ", MeterAggregationNames.All)}."));
        }

        var definition = new MeterDefinition
        {
            Code = body.Code ?? "",
            Name = body.Name ?? "",
            EventType = body.EventType ?? "",
            Aggregation = aggregation,
            Property = body.Property,
            Filters = (body.Filters ?? []).ToDictionary(f => f.Key, f => (IReadOnlyList<string>)(f.Value ?? [])),
            GroupBy = body.GroupBy ?? [],
        };
        var (saved, invalid) = await meters.SaveAsync(definition, ApiKeys.Actor(request), cancellationToken);
        errors.AddRange(invalid.Where(e => !(e.Field == "aggregation" && errors.Any(x => x.Field == "aggregation"))));
        if (errors.Count > 0 || saved is null)
        {
            return Problems.Validation("The meter is not valid; nothing was changed.", errors);
        }

        var answer = Answer(saved.Meter, saved.Version);
        return saved.Created ? TypedResults.Created($"/api/v1/meters/{saved.Meter.Code}", answer) : TypedResults.Ok(answer);
    }

    private static async Task<IResult> ListAsync(MeterService service, CancellationToken cancellationToken)
    {
        var meters = await service.ListWithVersionsAsync(cancellationToken);
        return TypedResults.Ok(meters.Select(m => Answer(m, m.Versions.OrderBy(v => v.Version).Last())).ToList());
    }

    private static MeterAnswer Answer(Data.Metering.Meter meter, Data.Metering.MeterVersion version)
    {
        var definition = MeterMapping.ToDefinition(meter, version);
        return new MeterAnswer(meter.Code, meter.Name, definition.EventType, definition.Aggregation.ToWireName(), definition.Property,
            definition.Filters, definition.GroupBy, version.Version, new DateTimeOffset(version.EffectiveFrom, TimeSpan.Zero));
    }
}
