using System.Text.Json;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Plans;
using UsagePortal.Pricing;

namespace UsagePortal.Web.Api;

public static class PlansEndpoints
{
    public static RouteGroupBuilder MapPlansEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/plans", PublishAsync)
            .WithName("PublishPlan")
            .WithSummary("Create a plan (version 1), or publish the next version of an existing plan code.")
            .Produces<PlanAnswer>(StatusCodes.Status201Created)
            .Produces<PlanAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/plans", ListAsync).WithName("ListPlans").WithSummary("The latest version of every plan.").Produces<List<PlanAnswer>>();
        api.MapGet("/plans/{code}", GetAsync)
            .WithName("GetPlan")
            .WithSummary("A plan's latest version, with the numbers of all its versions.")
            .Produces<PlanAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/plans/{code}/versions/{version}", GetVersionAsync)
            .WithName("GetPlanVersion")
            .WithSummary("One version of a plan.")
            .Produces<PlanAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> PublishAsync(HttpRequest request, PlanService plans, CancellationToken cancellationToken)
    {
        var (document, problem) = await ApiJson.ReadDocumentAsync(request, cancellationToken);
        if (document is null)
        {
            return problem!;
        }

        using (document)
        {
            var (saved, errors) = await plans.PublishAsync(document.RootElement, ApiKeys.Actor(request), cancellationToken);
            if (saved is null)
            {
                return Problems.Validation("The plan is not valid; nothing was stored.", errors);
            }

            var versions = (await plans.FindAsync(saved.Plan.Code, cancellationToken))!.Versions.Select(v => v.Version).ToList();
            var answer = PlanAnswers.Answer(saved.Plan.Code, saved.Version, versions);
            return saved.Created ? TypedResults.Created($"/api/v1/plans/{saved.Plan.Code}", answer) : TypedResults.Ok(answer);
        }
    }

    private static async Task<IResult> ListAsync(PlanService plans, CancellationToken cancellationToken)
    {
        var latest = await plans.ListLatestAsync(cancellationToken);
        return TypedResults.Ok(latest.Select(v => PlanAnswers.Answer(v.Plan!.Code, v, [.. v.Plan.Versions.Select(x => x.Version).Order()])).ToList());
    }

    private static async Task<IResult> GetAsync(string code, PlanService plans, CancellationToken cancellationToken)
    {
        if (await plans.FindAsync(code, cancellationToken) is not { Versions.Count: > 0 } plan)
        {
            return Problems.NotFound($"No plan has code '{code}'.");
        }

        return TypedResults.Ok(PlanAnswers.Answer(plan.Code, plan.Versions[^1], [.. plan.Versions.Select(v => v.Version)]));
    }

    private static async Task<IResult> GetVersionAsync(string code, string version, PlanService plans, CancellationToken cancellationToken)
    {
        if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return Problems.NotFound($"'{version}' is not a version number.");
        }

        if (await plans.FindAsync(code, cancellationToken) is not { } plan)
        {
            return Problems.NotFound($"No plan has code '{code}'.");
        }

        return plan.Versions.SingleOrDefault(v => v.Version == number) is { } found
            ? TypedResults.Ok(PlanAnswers.Answer(plan.Code, found, [.. plan.Versions.Select(v => v.Version)]))
            : Problems.NotFound($"Plan '{code}' has no version {number}; its versions are {string.Join(", ", plan.Versions.Select(v => v.Version))}.");
    }
}
