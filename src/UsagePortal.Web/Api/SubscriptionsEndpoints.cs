using System.Text.Json;
using UsagePortal.Domain;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;

namespace UsagePortal.Web.Api;

public static class SubscriptionsEndpoints
{
    public sealed record CancelRequest(string? At);

    public sealed record PlanChangeRequest(string? Plan, int? PlanVersion, string? At, DateTimeOffset? ProrationDate = null);

    /// <summary>One line of a previewed invoice, its amount rounded as the invoice rounds it.</summary>
    public sealed record PreviewLineAnswer(string Kind, string Description, string? Meter, string Quantity, string Amount);

    /// <summary>A previewed invoice: its period, lines and totals (credits as they stand now), amounts as decimal strings.</summary>
    public sealed record InvoiceForecastAnswer(PeriodAnswer Period, string Currency, IReadOnlyList<PreviewLineAnswer> Lines, string Subtotal, string Credits, string Tax, string Total);

    /// <summary>A plan change's preview: pass <c>prorationDate</c> back with the change to prorate exactly as previewed.</summary>
    public sealed record PlanChangePreviewAnswer(DateTimeOffset ProrationDate, DateTimeOffset ChangesFrom, string Plan, int PlanVersion, InvoiceForecastAnswer? Current, InvoiceForecastAnswer? WithChange);

    public sealed record PeriodAnswer(DateTimeOffset Start, DateTimeOffset End);

    public sealed record PhaseAnswer(string Plan, int Version, DateTimeOffset StartsAt, DateTimeOffset? EndsAt);

    /// <summary>
    /// A subscription: the plan in force now (the first phase's before the start, the last one's after the end), how
    /// its periods are cut, its status, the period being billed now, the next period the invoicer closes, its phases
    /// and its per-customer overrides (charge JSON).
    /// </summary>
    public sealed record SubscriptionAnswer(
        int Id,
        string Customer,
        string? Plan,
        int? PlanVersion,
        DateTimeOffset StartDate,
        string BillingAnchor,
        string TimeZone,
        string Status,
        DateTimeOffset? EndsAt,
        DateTimeOffset? CanceledAt,
        PeriodAnswer? CurrentPeriod,
        PeriodAnswer? NextPeriod,
        IReadOnlyList<PhaseAnswer> Phases,
        JsonElement Overrides,
        DateTimeOffset CreatedAt,
        BillingFailureAnswer? BillingFailure);

    /// <summary>Invoicing this subscription failed in a row <c>attempts</c> times; the invoicer tries again at <c>nextAttemptAt</c>.</summary>
    public sealed record BillingFailureAnswer(int Attempts, DateTimeOffset? LastFailedAt, string? Reason, DateTimeOffset? NextAttemptAt);

    public static RouteGroupBuilder MapSubscriptionsEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/subscriptions", CreateAsync)
            .WithName("CreateSubscription")
            .WithSummary("Subscribe a customer to a plan from a start date (a start in the past is invoiced promptly).")
            .Produces<SubscriptionAnswer>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/subscriptions", ListAsync)
            .WithName("ListSubscriptions")
            .WithSummary("Every subscription, or one customer's (?customer=externalId), newest first.")
            .Produces<List<SubscriptionAnswer>>();
        api.MapGet("/subscriptions/{id}", GetAsync)
            .WithName("GetSubscription")
            .Produces<SubscriptionAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/subscriptions/{id}/cancel", CancelAsync)
            .WithName("CancelSubscription")
            .WithSummary("Cancel at the end of the current period, or now (the partial period is invoiced promptly).")
            .Produces<SubscriptionAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/subscriptions/{id}/plan", ChangePlanAsync)
            .WithName("ChangeSubscriptionPlan")
            .WithSummary("Move a subscription to another plan or version, now or at the end of the current period.")
            .Produces<SubscriptionAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/subscriptions/{id}/plan/preview", PreviewPlanChangeAsync)
            .WithName("PreviewSubscriptionPlanChange")
            .WithSummary("The next invoice with a plan change and without it, changing nothing; confirm with its prorationDate.")
            .Produces<PlanChangePreviewAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static SubscriptionAnswer Answer(SubscriptionDetails details, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(details);
        var subscription = details.Subscription;
        var shown = details.PhaseShown(now);
        var current = SubscriptionSchedule.CurrentPeriod(subscription, now);
        using var overrides = JsonDocument.Parse(subscription.OverridesJson ?? "[]");
        return new SubscriptionAnswer(
            subscription.Id,
            details.Customer,
            shown?.PlanVersion?.Plan?.Code,
            shown?.PlanVersion?.Version,
            Instant(subscription.StartsAt),
            subscription.BillingAnchor,
            subscription.TimeZone,
            SubscriptionStatuses.Of(subscription, now),
            Instant(subscription.EndsAt),
            Instant(subscription.CanceledAt),
            current is null ? null : new PeriodAnswer(Instant(current.Start), Instant(current.End)),
            subscription is { NextPeriodStart: { } start, NextPeriodEnd: { } end } ? new PeriodAnswer(Instant(start), Instant(end)) : null,
            [.. subscription.Phases.OrderBy(p => p.StartsAt).Select(p => new PhaseAnswer(p.PlanVersion!.Plan!.Code, p.PlanVersion.Version, Instant(p.StartsAt), Instant(p.EndsAt)))],
            overrides.RootElement.Clone(),
            Instant(subscription.CreatedAt),
            subscription.BillingFailures == 0 ? null
                : new BillingFailureAnswer(subscription.BillingFailures, Instant(subscription.BillingFailedAt), subscription.BillingError, Instant(subscription.BillingRetryAt)));
    }

    private static DateTimeOffset Instant(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeSpan.Zero);

    private static DateTimeOffset? Instant(DateTime? utc) => utc is { } value ? Instant(value) : null;


    private static async Task<IResult> CreateAsync(HttpRequest request, SubscriptionService subscriptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiJson.ReadAsync<SubscribeRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await subscriptions.SubscribeAsync(
            body!,
            ApiKeys.Actor(request), cancellationToken);
        return outcome.Value is { } created
            ? TypedResults.Created($"/api/v1/subscriptions/{created.Subscription.Id}", Answer(created, clock.GetUtcNow().UtcDateTime))
            : Problems.For(outcome, "The subscription is not valid; nothing was stored.");
    }

    private static async Task<IResult> ListAsync(string? customer, SubscriptionService subscriptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return TypedResults.Ok((await subscriptions.ListAsync(customer, cancellationToken)).Select(s => Answer(s, now)).ToList());
    }

    private static async Task<IResult> GetAsync(string id, SubscriptionService subscriptions, TimeProvider clock, CancellationToken cancellationToken) =>
        Id(id) is { } number && await subscriptions.FindAsync(number, cancellationToken) is { } found
            ? TypedResults.Ok(Answer(found, clock.GetUtcNow().UtcDateTime))
            : Problems.NotFound($"No subscription has id '{id}'.");

    /// <summary>Ids are numbers; anything else is an id no subscription has (the route takes any segment, so a bad key still answers 401 first).</summary>
    private static int? Id(string id) =>
        int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;

    private static async Task<IResult> CancelAsync(string id, HttpRequest request, SubscriptionService subscriptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Id(id) is not { } number)
        {
            return Problems.NotFound($"No subscription has id '{id}'.");
        }

        var (body, problem) = await ApiJson.ReadAsync<CancelRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await subscriptions.CancelAsync(number, body!.At, ApiKeys.Actor(request), cancellationToken);
        return outcome.Value is { } canceled ? TypedResults.Ok(Answer(canceled, clock.GetUtcNow().UtcDateTime)) : Problems.For(outcome, "The subscription was not canceled.");
    }

    private static async Task<IResult> ChangePlanAsync(string id, HttpRequest request, SubscriptionService subscriptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Id(id) is not { } number)
        {
            return Problems.NotFound($"No subscription has id '{id}'.");
        }

        var (body, problem) = await ApiJson.ReadAsync<PlanChangeRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await subscriptions.ChangePlanAsync(number, Change(body!), ApiKeys.Actor(request), cancellationToken);
        return outcome.Value is { } changed ? TypedResults.Ok(Answer(changed, clock.GetUtcNow().UtcDateTime)) : Problems.For(outcome, "The plan was not changed.");
    }

    private static async Task<IResult> PreviewPlanChangeAsync(string id, HttpRequest request, SubscriptionService subscriptions, CancellationToken cancellationToken)
    {
        if (Id(id) is not { } number)
        {
            return Problems.NotFound($"No subscription has id '{id}'.");
        }

        var (body, problem) = await ApiJson.ReadAsync<PlanChangeRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = await subscriptions.PreviewChangeAsync(number, Change(body!), cancellationToken);
        if (outcome.Value is not { } preview)
        {
            return Problems.For(outcome, "The plan change could not be previewed.");
        }

        return TypedResults.Ok(new PlanChangePreviewAnswer(Instant(preview.ProrationDate), Instant(preview.ChangesFrom), preview.Version.Plan!.Code, preview.Version.Version,
            Forecast(preview.Before), Forecast(preview.After)));
    }

    private static PlanChange Change(PlanChangeRequest body) => new(body.Plan, body.PlanVersion, body.At, body.ProrationDate?.UtcDateTime);

    private static InvoiceForecastAnswer? Forecast(InvoiceForecast? forecast)
    {
        if (forecast is null)
        {
            return null;
        }

        var totals = forecast.Totals;
        var currency = totals.Currency;
        // Amounts as every other answer of the API writes them (the invoices API): the currency's decimals, "10.00".
        string Money(long minorUnits) => currency.FormatMinorUnits(minorUnits);
        return new InvoiceForecastAnswer(
            new PeriodAnswer(Instant(forecast.Period.Start), Instant(forecast.Period.End)),
            currency.Code,
            [.. forecast.Lines.Zip(totals.Lines, (line, total) => new PreviewLineAnswer(line.Kind, line.Description, line.MeterCode, Decimals.ToText(line.Quantity), Money(total.AmountMinorUnits)))],
            Money(totals.Subtotal), Money(totals.CreditsApplied), Money(totals.Tax), Money(totals.Total));
    }

}
