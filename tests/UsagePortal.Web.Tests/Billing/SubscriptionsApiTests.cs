using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.SubscriptionsApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// POST/GET /api/v1/subscriptions, cancellation and plan changes, on a clock that reads 15 March 2026, 12:00 UTC
/// unless a test moves it.
/// </summary>
[Collection(SubscriptionsApiCollection.Name)]
public sealed class SubscriptionsApiTests(SubscriptionsPortal portal) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = SubscriptionsPortal.DefaultNow;

    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        portal.Clock.Now = Now;
        api = await portal.ApiClientAsync();
        await portal.InvoicerWokenAsync();
    }

    public Task DisposeAsync()
    {
        portal.Clock.Now = Now;
        api.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A USD customer on a new plan from 10 January 2026 (calendar months, UTC); answers (id, customer, plan).</summary>
    private async Task<(int Id, string Customer, string Plan)> SubscribedSinceJanuaryAsync()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();
        var subscription = await api.SubscribeAsync(new { customer, plan, startDate = "2026-01-10" });
        return (subscription.GetProperty("id").GetInt32(), customer, plan);
    }

    /// <summary>Moves the next period to invoice to the one containing <paramref name="instant"/>, as the invoicer does after closing periods.</summary>
    private Task InvoicedUntilAsync(int id, DateTimeOffset instant) =>
        portal.WithDbAsync(async db =>
        {
            var subscription = await db.Subscriptions.SingleAsync(s => s.Id == id);
            SubscriptionSchedule.ScheduleFrom(subscription, instant.UtcDateTime);
            return await db.SaveChangesAsync();
        });

    [Fact]
    public async Task AStartInThePastIsStoredWithItsFirstPeriodDueAndWakesTheInvoicer()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();

        using var response = await api.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2026-01-10" });

        var created = await ReadAsync(response, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/subscriptions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal((customer, plan, 1, "calendar", "UTC", "active"), (created.GetProperty("customer").GetString(), created.GetProperty("plan").GetString(),
            created.GetProperty("planVersion").GetInt32(), created.GetProperty("billingAnchor").GetString(), created.GetProperty("timeZone").GetString(),
            created.GetProperty("status").GetString()));
        Assert.Equal(Utc(2026, 1, 10), created.Instant("startDate"));
        Assert.Null(created.Instant("endsAt"));
        Assert.Null(created.Instant("canceledAt"));
        Assert.Equal((Utc(2026, 3, 1), Utc(2026, 4, 1)), created.Period("currentPeriod"));
        Assert.Equal((Utc(2026, 1, 10), Utc(2026, 2, 1)), created.Period("nextPeriod"));
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)null)], created.Phases());
        Assert.Empty(created.GetProperty("overrides").EnumerateArray());
        Assert.True(await portal.InvoicerWokenAsync(), "A subscription whose first period is already due must wake the invoicer.");

        var stored = await portal.StoredSubscriptionAsync(id);
        Assert.Equal((Utc(2026, 1, 10).UtcDateTime, Utc(2026, 2, 1).UtcDateTime), (stored.NextPeriodStart, stored.NextPeriodEnd));
        Assert.Equal(("calendar", "UTC", (string?)null, Now.UtcDateTime), (stored.BillingAnchor, stored.TimeZone, stored.OverridesJson, stored.CreatedAt));
        Assert.StartsWith("api-key:", stored.CreatedBy, StringComparison.Ordinal);
        var phase = Assert.Single(stored.Phases);
        Assert.Equal((Utc(2026, 1, 10).UtcDateTime, (DateTime?)null), (phase.StartsAt, phase.EndsAt));
        Assert.True(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "subscription.created" && a.Subject == $"subscription:{id}" && a.CustomerId == stored.CustomerId)));

        Assert.Equal(created.ToString(), (await api.GetJsonAsync($"/api/v1/subscriptions/{id}")).ToString());
        var listed = await api.GetJsonAsync($"/api/v1/subscriptions?customer={Uri.EscapeDataString(customer)}");
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetInt32());
        Assert.Contains((await api.GetJsonAsync("/api/v1/subscriptions")).EnumerateArray(), s => s.GetProperty("id").GetInt32() == id);
    }

    [Fact]
    public async Task AStartInTheCurrentPeriodOrLaterDoesNotWakeTheInvoicer()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();

        var thisMonth = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2026-03-01" });
        var nextMonth = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2026-04-01" });
        var fromNow = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan });

        Assert.False(await portal.InvoicerWokenAsync());
        Assert.Equal((Utc(2026, 3, 1), Utc(2026, 4, 1)), thisMonth.Period("nextPeriod"));
        Assert.Null(nextMonth.Period("currentPeriod"));
        Assert.Equal((Utc(2026, 4, 1), Utc(2026, 5, 1)), nextMonth.Period("nextPeriod"));
        Assert.Equal("active", nextMonth.GetProperty("status").GetString());
        Assert.Equal(Now, fromNow.Instant("startDate"));
        Assert.Equal((Now, Utc(2026, 4, 1)), fromNow.Period("currentPeriod"));
    }

    [Fact]
    public async Task ADateIsMidnightInTheBillingTimeZoneWhichDefaultsToTheCustomers()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();

        var newYork = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(timeZone: "America/New_York"), plan, startDate = "2026-02-01" });
        var paris = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(timeZone: "America/New_York"), plan, startDate = "2026-02-01", timeZone = "Europe/Paris" });
        var instant = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2026-02-10T08:30:00+01:00" });

        Assert.Equal(("America/New_York", Utc(2026, 2, 1, 5)), (newYork.GetProperty("timeZone").GetString(), newYork.Instant("startDate")!.Value));
        Assert.Equal((Utc(2026, 2, 1, 5), Utc(2026, 3, 1, 5)), newYork.Period("nextPeriod"));
        Assert.Equal(("Europe/Paris", Utc(2026, 1, 31, 23)), (paris.GetProperty("timeZone").GetString(), paris.Instant("startDate")!.Value));
        Assert.Equal(Utc(2026, 2, 10, 7, 30), instant.Instant("startDate"));
    }

    [Fact]
    public async Task AnniversaryPeriodsEndOnTheLastDayOfShorterMonths()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();

        var subscription = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2026-01-31", billingAnchor = "anniversary" });

        Assert.Equal("anniversary", subscription.GetProperty("billingAnchor").GetString());
        Assert.Equal((Utc(2026, 1, 31), Utc(2026, 2, 28)), subscription.Period("nextPeriod"));
        Assert.Equal((Utc(2026, 2, 28), Utc(2026, 3, 31)), subscription.Period("currentPeriod"));
        portal.Clock.Now = Utc(2026, 4, 10);
        var april = await api.GetJsonAsync($"/api/v1/subscriptions/{subscription.GetProperty("id").GetInt32()}");
        Assert.Equal((Utc(2026, 3, 31), Utc(2026, 4, 30)), april.Period("currentPeriod"));

        portal.Clock.Now = Utc(2024, 3, 15);
        var leap = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2024-01-31", billingAnchor = "anniversary" });
        Assert.Equal((Utc(2024, 1, 31), Utc(2024, 2, 29)), leap.Period("nextPeriod"));
        Assert.Equal((Utc(2024, 2, 29), Utc(2024, 3, 31)), leap.Period("currentPeriod"));
    }

    [Theory]
    [InlineData("an unknown customer", "customer")]
    [InlineData("no customer", "customer")]
    [InlineData("an unknown plan", "plan")]
    [InlineData("no plan", "plan")]
    [InlineData("an unknown plan version", "planVersion")]
    [InlineData("a plan in another currency", "plan")]
    [InlineData("an unknown time zone", "timeZone")]
    [InlineData("an unknown billing anchor", "billingAnchor")]
    [InlineData("a date in another format", "startDate")]
    [InlineData("a date that does not exist", "startDate")]
    [InlineData("a time without an offset", "startDate")]
    [InlineData("a start more than a year ahead", "startDate")]
    [InlineData("a start in 1900", "startDate")]
    [InlineData("a start just over Billing:MaxBackdate ago", "startDate")]
    [InlineData("an override for a meter the plan does not charge", "overrides[0].meter")]
    [InlineData("an override with a negative price", "overrides[0].properties.unitAmount")]
    [InlineData("overrides that are not an array", "overrides")]
    [InlineData("a plan version that is not a number", "planVersion")]
    public async Task AnInvalidSubscriptionIsRefusedNamingTheFieldAndNothingIsStored(string because, string field)
    {
        var (plan, meter) = await api.CreateSimplePlanAsync();
        var (euroPlan, _) = await api.CreateSimplePlanAsync("EUR");
        var otherMeter = await api.CreateCountMeterAsync("other");
        var customer = await api.CreateApiCustomerAsync();
        var body = new JsonObject { ["customer"] = customer, ["plan"] = plan, ["startDate"] = "2026-03-01" };
        switch (because)
        {
            case "an unknown customer": body["customer"] = "nobody-" + Guid.NewGuid(); break;
            case "no customer": body.Remove("customer"); break;
            case "an unknown plan": body["plan"] = PlanCode("ghost"); break;
            case "no plan": body["plan"] = ""; break;
            case "an unknown plan version": body["planVersion"] = 7; break;
            case "a plan in another currency": body["plan"] = euroPlan; break;
            case "an unknown time zone": body["timeZone"] = "Mars/Olympus_Mons"; break;
            case "an unknown billing anchor": body["billingAnchor"] = "weekly"; break;
            case "a date in another format": body["startDate"] = "03/01/2026"; break;
            case "a date that does not exist": body["startDate"] = "2026-02-30"; break;
            case "a time without an offset": body["startDate"] = "2026-03-01T00:00:00"; break;
            case "a start more than a year ahead": body["startDate"] = "2027-03-20"; break;
            // Before the hardening issue a 1900 start was accepted and invoiced 1,523 months at once.
            case "a start in 1900": body["startDate"] = "1900-01-01"; break;
            case "a start just over Billing:MaxBackdate ago": body["startDate"] = "2024-03-14"; break;
            case "an override for a meter the plan does not charge": body["overrides"] = new JsonArray(Standard(otherMeter, "1")); break;
            case "an override with a negative price": body["overrides"] = new JsonArray(Standard(meter, "-0.5")); break;
            case "overrides that are not an array": body["overrides"] = Standard(meter, "1"); break;
            case "a plan version that is not a number": body["planVersion"] = "latest"; break;
            default: throw new ArgumentOutOfRangeException(nameof(because));
        }

        using var response = await api.PostJsonAsync("/api/v1/subscriptions", body);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors.Any(e => e.Field == field), $"{because}: expected an error on '{field}', got {string.Join("; ", problem.Errors)}");
        Assert.Equal(0, await portal.SubscriptionCountAsync(customer));
    }

    [Fact]
    public async Task AStartMayBeAtMostAYearAhead()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();

        using var tooLate = await api.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2027-03-15T12:00:01Z" });
        Assert.Equal("startDate", Assert.Single((await AssertProblemAsync(tooLate, HttpStatusCode.BadRequest)).Errors).Field);

        var justInTime = await api.SubscribeAsync(new { customer, plan, startDate = "2027-03-15T12:00:00Z" });
        Assert.Equal(Utc(2027, 3, 15, 12), justInTime.Instant("startDate"));
    }

    [Fact]
    public async Task AStartMayBeAtMostMaxBackdateInThePastAndTheRefusalSaysWhy()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();

        // The clock reads 2026-03-15T12:00Z; Billing:MaxBackdate is 730 days.
        using var tooEarly = await api.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2024-03-15T11:59:59Z" });
        var error = Assert.Single((await AssertProblemAsync(tooEarly, HttpStatusCode.BadRequest)).Errors);
        Assert.Equal("startDate", error.Field);
        Assert.Contains("730 days", error.Reason, StringComparison.Ordinal);
        Assert.Contains("2024-03-15T12:00:00Z", error.Reason, StringComparison.Ordinal);

        var earliest = await api.SubscribeAsync(new { customer, plan, startDate = "2024-03-15T12:00:00Z" });
        Assert.Equal(Utc(2024, 3, 15, 12), earliest.Instant("startDate"));
    }

    [Fact]
    public async Task ASecondSubscriptionIsRefusedUntilTheFirstHasEnded()
    {
        var (id, customer, plan) = await SubscribedSinceJanuaryAsync();

        using var second = await api.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2026-04-01" });

        var problem = await AssertProblemAsync(second, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.Errors);
        Assert.Equal("customer", error.Field);
        Assert.Contains("already subscribed", error.Reason, StringComparison.Ordinal);
        await api.CancelAsync(id, "now");
        using var overlapping = await api.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2026-03-01" });
        Assert.Equal("customer", Assert.Single((await AssertProblemAsync(overlapping, HttpStatusCode.BadRequest)).Errors).Field);
        await api.SubscribeAsync(new { customer, plan, startDate = "2026-03-16" });
        Assert.Equal(2, await portal.SubscriptionCountAsync(customer));
    }

    [Fact]
    public async Task OfManySubscriptionsForOneCustomerAtOnceExactlyOneIsStored()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var client = await portal.ApiClientAsync();
            using var response = await client.PostJsonAsync("/api/v1/subscriptions", new { customer, plan, startDate = "2026-03-01" });
            return response.StatusCode;
        }));

        Assert.Single(statuses, s => s == HttpStatusCode.Created);
        Assert.All(statuses.Where(s => s != HttpStatusCode.Created), s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.Equal(1, await portal.SubscriptionCountAsync(customer));
    }

    [Fact]
    public async Task OverridesReplaceThePlansChargeForThisCustomerAndAreAnswered()
    {
        var (plan, meter) = await api.CreateSimplePlanAsync(unitAmount: "0.01");
        var overrideCharge = new JsonObject { ["meter"] = meter, ["model"] = "standard", ["properties"] = new JsonObject { ["unitAmount"] = 0.005m } };

        var subscription = await api.SubscribeAsync(new JsonObject { ["customer"] = await api.CreateApiCustomerAsync(), ["plan"] = plan, ["overrides"] = new JsonArray(overrideCharge) });

        var answered = Assert.Single(subscription.GetProperty("overrides").EnumerateArray());
        Assert.Equal((meter, "0.005"), (answered.GetProperty("meter").GetString(), answered.GetProperty("properties").GetProperty("unitAmount").GetString()));
        var stored = await portal.StoredSubscriptionAsync(subscription.GetProperty("id").GetInt32());
        Assert.Equal($$$"""[{"meter":"{{{meter}}}","model":"standard","properties":{"unitAmount":"0.005"}}]""", stored.OverridesJson);
        var charge = Assert.Single(PeriodRater.EffectiveCharges(stored.Phases[0].PlanVersion!, stored));
        Assert.Equal(0.05m, charge.Price(10m).Amount);
    }

    [Fact]
    public async Task ASubscriptionTakesTheLatestVersionUnlessOneIsPinned()
    {
        var (plan, meter) = await api.CreateSimplePlanAsync();
        await api.PublishPlanAsync(Plan(plan, "USD", "20", Standard(meter, "0.02")));

        var latest = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan });
        var pinned = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, planVersion = 1 });

        Assert.Equal(2, latest.GetProperty("planVersion").GetInt32());
        Assert.Equal(1, pinned.GetProperty("planVersion").GetInt32());
        Assert.Equal(1, Assert.Single(pinned.Phases()).Version);
    }

    [Fact]
    public async Task CancellingAtPeriodEndEndsTheSubscriptionWhenItsCurrentPeriodEnds()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        await portal.InvoicerWokenAsync();

        var canceled = await api.CancelAsync(id, "period_end");

        Assert.Equal(("canceled", Utc(2026, 4, 1), Now), (canceled.GetProperty("status").GetString(), canceled.Instant("endsAt")!.Value, canceled.Instant("canceledAt")!.Value));
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Utc(2026, 4, 1))], canceled.Phases());
        Assert.Equal((Utc(2026, 1, 10), Utc(2026, 2, 1)), canceled.Period("nextPeriod"));
        Assert.Equal((Utc(2026, 3, 1), Utc(2026, 4, 1)), canceled.Period("currentPeriod"));
        Assert.False(await portal.InvoicerWokenAsync(), "Nothing is due before the period ends.");
        Assert.True(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "subscription.canceled" && a.Subject == $"subscription:{id}")));

        using var again = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/cancel", new { at = "now" });
        Assert.Equal("at", Assert.Single((await AssertProblemAsync(again, HttpStatusCode.Conflict)).Errors).Field);

        portal.Clock.Now = Utc(2026, 4, 2);
        var ended = await api.GetJsonAsync($"/api/v1/subscriptions/{id}");
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        Assert.Null(ended.Period("currentPeriod"));
    }

    [Fact]
    public async Task CancellingNowClipsThePeriodBeingBilledAndWakesTheInvoicer()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        await InvoicedUntilAsync(id, Utc(2026, 3, 1));
        await portal.InvoicerWokenAsync();

        var canceled = await api.CancelAsync(id, "now");

        Assert.Equal(("ended", Now, Now), (canceled.GetProperty("status").GetString(), canceled.Instant("endsAt")!.Value, canceled.Instant("canceledAt")!.Value));
        Assert.Equal((Utc(2026, 3, 1), Now), canceled.Period("nextPeriod"));
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Now)], canceled.Phases());
        Assert.True(await portal.InvoicerWokenAsync(), "The final, partial period is due at once.");
        var stored = await portal.StoredSubscriptionAsync(id);
        Assert.Equal((Now.UtcDateTime, Utc(2026, 3, 1).UtcDateTime, Now.UtcDateTime), (stored.EndsAt!.Value, stored.NextPeriodStart!.Value, stored.NextPeriodEnd!.Value));
        Assert.Null(stored.LeasedUntil);

        using var again = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/cancel", new { at = "period_end" });
        await AssertProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CancellingAtPeriodEndDropsAPlanChangeScheduledForThen()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        var (other, _) = await api.CreateSimplePlanAsync();
        Assert.Equal(2, (await api.ChangePlanAsync(id, other, "period_end")).Phases().Count);

        var canceled = await api.CancelAsync(id, "period_end");

        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Utc(2026, 4, 1))], canceled.Phases());
        Assert.Single((await portal.StoredSubscriptionAsync(id)).Phases);
    }

    [Fact]
    public async Task CancellingASubscriptionThatHasNotStartedMeansItNeverRuns()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();
        var subscription = await api.SubscribeAsync(new { customer, plan, startDate = "2026-04-01" });

        var canceled = await api.CancelAsync(subscription.GetProperty("id").GetInt32(), "period_end");

        Assert.Equal(Utc(2026, 4, 1), canceled.Instant("endsAt"));
        Assert.Null(canceled.Period("nextPeriod"));
        Assert.Equal([(plan, 1, Utc(2026, 4, 1), (DateTimeOffset?)Utc(2026, 4, 1))], canceled.Phases());
        await api.SubscribeAsync(new { customer, plan, startDate = "2026-03-20" });
    }

    [Fact]
    public async Task ABadCancellationIsRefused()
    {
        var (id, _, _) = await SubscribedSinceJanuaryAsync();

        using var later = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/cancel", new { at = "tomorrow" });
        Assert.Equal("at", Assert.Single((await AssertProblemAsync(later, HttpStatusCode.BadRequest)).Errors).Field);
        using var missing = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/cancel", new { });
        Assert.Equal("at", Assert.Single((await AssertProblemAsync(missing, HttpStatusCode.BadRequest)).Errors).Field);
        using var unknown = await api.PostJsonAsync("/api/v1/subscriptions/987654/cancel", new { at = "now" });
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        using var unknownGet = await api.GetAsync("/api/v1/subscriptions/987654");
        await AssertProblemAsync(unknownGet, HttpStatusCode.NotFound);
        using var notAnId = await api.PostJsonAsync("/api/v1/subscriptions/first/cancel", new { at = "now" });
        await AssertProblemAsync(notAnId, HttpStatusCode.NotFound);

        var stored = await portal.StoredSubscriptionAsync(id);
        Assert.Equal(((DateTime?)null, (DateTime?)null), (stored.EndsAt, stored.CanceledAt));
    }

    [Fact]
    public async Task ACancellationWaitsWhileTheInvoicerHoldsTheSubscription()
    {
        var (id, _, _) = await SubscribedSinceJanuaryAsync();
        await portal.WithDbAsync(db => db.Subscriptions.Where(s => s.Id == id).ExecuteUpdateAsync(set => set.SetProperty(s => s.LeasedUntil, Now.UtcDateTime.AddMinutes(5))));

        var cancel = api.PostJsonAsync($"/api/v1/subscriptions/{id}/cancel", new { at = "now" });
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.False(cancel.IsCompleted, "The cancellation went ahead while the invoicer held the subscription.");
        Assert.Null((await portal.StoredSubscriptionAsync(id)).EndsAt);
        await portal.WithDbAsync(db => db.Subscriptions.Where(s => s.Id == id).ExecuteUpdateAsync(set => set.SetProperty(s => s.LeasedUntil, (DateTime?)null)));

        using var response = await cancel;
        Assert.Equal(Now, (await ReadAsync(response, HttpStatusCode.OK)).Instant("endsAt"));
    }

    [Fact]
    public async Task APlanChangeNowEndsThePhaseInForceAndStartsTheNewPlanNow()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        var (other, _) = await api.CreateSimplePlanAsync(flatFee: "99");

        var changed = await api.ChangePlanAsync(id, other, "now");

        Assert.Equal((other, 1), (changed.GetProperty("plan").GetString(), changed.GetProperty("planVersion").GetInt32()));
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Now), (other, 1, Now, null)], changed.Phases());
        Assert.Equal((Utc(2026, 3, 1), Utc(2026, 4, 1)), changed.Period("currentPeriod"));
        Assert.Equal(2, (await portal.StoredSubscriptionAsync(id)).Phases.Count);
        Assert.True(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "subscription.plan_changed" && a.Subject == $"subscription:{id}")));

        using var same = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan = other, at = "now" });
        Assert.Equal("plan", Assert.Single((await AssertProblemAsync(same, HttpStatusCode.BadRequest)).Errors).Field);
    }

    [Fact]
    public Task APlanChangePreviewChangesNothingAndItsLinesAreTheInvoicesWhenConfirmedWithItsProrationDate() =>
        portal.PreviewConfirmAndInvoiceAPlanChangeAsync(api);

    [Fact]
    public async Task AStaleOrMisplacedProrationDateIsRefused()
    {
        var (id, _, _) = await SubscribedSinceJanuaryAsync();
        var (other, _) = await api.CreateSimplePlanAsync();

        using var stale = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan = other, at = "now", prorationDate = Now.AddHours(-2) });
        using var future = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan = other, at = "now", prorationDate = Now.AddMinutes(1) });
        using var atPeriodEnd = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan = other, at = "period_end", prorationDate = Now });

        foreach (var response in new[] { stale, future, atPeriodEnd })
        {
            Assert.Equal("prorationDate", Assert.Single((await AssertProblemAsync(response, HttpStatusCode.BadRequest)).Errors).Field);
        }

        Assert.Single((await portal.StoredSubscriptionAsync(id)).Phases);
    }

    [Fact]
    public async Task APlanChangeAtPeriodEndIsScheduledAndALaterOneReplacesIt()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        var (second, _) = await api.CreateSimplePlanAsync();
        var (third, _) = await api.CreateSimplePlanAsync();

        var scheduled = await api.ChangePlanAsync(id, second, "period_end");

        Assert.Equal(plan, scheduled.GetProperty("plan").GetString());
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Utc(2026, 4, 1)), (second, 1, Utc(2026, 4, 1), null)], scheduled.Phases());

        var replaced = await api.ChangePlanAsync(id, third, "period_end");
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Utc(2026, 4, 1)), (third, 1, Utc(2026, 4, 1), null)], replaced.Phases());
        portal.Clock.Now = Utc(2026, 4, 5);
        Assert.Equal(third, (await api.GetJsonAsync($"/api/v1/subscriptions/{id}")).GetProperty("plan").GetString());
        portal.Clock.Now = Now;

        var undone = await api.ChangePlanAsync(id, plan, "period_end");
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)null)], undone.Phases());
        Assert.Single((await portal.StoredSubscriptionAsync(id)).Phases);
    }

    [Fact]
    public async Task APlanChangeCanMoveToANewerVersionOfTheSamePlan()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        var meter = await api.CreateCountMeterAsync();
        await api.PublishPlanAsync(Plan(plan, "USD", "12", Standard(meter, "1")));

        var changed = await api.ChangePlanAsync(id, plan, "now", planVersion: 2);

        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Now), (plan, 2, Now, null)], changed.Phases());
    }

    [Fact]
    public async Task APlanChangeBeforeTheStartReplacesThePlanFromTheStart()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var (other, _) = await api.CreateSimplePlanAsync();
        var subscription = await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2026-04-01" });

        var changed = await api.ChangePlanAsync(subscription.GetProperty("id").GetInt32(), other, "now");

        Assert.Equal([(other, 1, Utc(2026, 4, 1), (DateTimeOffset?)null)], changed.Phases());
    }

    [Fact]
    public async Task APlanChangeOfACanceledSubscriptionKeepsItsEnd()
    {
        var (id, _, plan) = await SubscribedSinceJanuaryAsync();
        var (other, _) = await api.CreateSimplePlanAsync();
        await api.CancelAsync(id, "period_end");

        using var atPeriodEnd = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan = other, at = "period_end" });
        Assert.Equal("at", Assert.Single((await AssertProblemAsync(atPeriodEnd, HttpStatusCode.BadRequest)).Errors).Field);

        var changed = await api.ChangePlanAsync(id, other, "now");
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)Now), (other, 1, Now, Utc(2026, 4, 1))], changed.Phases());
    }

    [Theory]
    [InlineData("a plan in another currency", "plan", HttpStatusCode.BadRequest)]
    [InlineData("an unknown plan", "plan", HttpStatusCode.BadRequest)]
    [InlineData("an unknown plan version", "planVersion", HttpStatusCode.BadRequest)]
    [InlineData("an unknown timing", "at", HttpStatusCode.BadRequest)]
    [InlineData("an ended subscription", "at", HttpStatusCode.Conflict)]
    public async Task ABadPlanChangeIsRefusedAndChangesNothing(string because, string field, HttpStatusCode status)
    {
        var (id, _, _) = await SubscribedSinceJanuaryAsync();
        var (other, _) = await api.CreateSimplePlanAsync();
        var (euroPlan, _) = await api.CreateSimplePlanAsync("EUR");
        object body = because switch
        {
            "a plan in another currency" => new { plan = euroPlan, at = "now" },
            "an unknown plan" => new { plan = PlanCode("ghost"), at = "now" },
            "an unknown plan version" => new { plan = other, planVersion = 3, at = "now" },
            "an unknown timing" => new { plan = other, at = "next_week" },
            "an ended subscription" => new { plan = other, at = "now" },
            _ => throw new ArgumentOutOfRangeException(nameof(because)),
        };
        if (because == "an ended subscription")
        {
            await api.CancelAsync(id, "now");
        }

        var before = (await portal.StoredSubscriptionAsync(id)).Phases.Select(p => (p.PlanVersionId, p.StartsAt, p.EndsAt)).ToList();

        using var response = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", body);

        var problem = await AssertProblemAsync(response, status);
        Assert.True(problem.Errors.Any(e => e.Field == field), $"{because}: expected an error on '{field}', got {string.Join("; ", problem.Errors)}");
        Assert.Equal(before, (await portal.StoredSubscriptionAsync(id)).Phases.Select(p => (p.PlanVersionId, p.StartsAt, p.EndsAt)));
    }

    [Fact]
    public async Task APlanChangeOfAnUnknownSubscriptionAnswers404()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();

        using var response = await api.PostJsonAsync("/api/v1/subscriptions/987655/plan", new { plan, at = "now" });

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheListIsFilteredByCustomer()
    {
        var (id, customer, _) = await SubscribedSinceJanuaryAsync();
        await SubscribedSinceJanuaryAsync();

        var mine = await api.GetJsonAsync($"/api/v1/subscriptions?customer={Uri.EscapeDataString(customer)}");
        var nobody = await api.GetJsonAsync("/api/v1/subscriptions?customer=nobody-at-all");

        Assert.Equal([id], mine.EnumerateArray().Select(s => s.GetProperty("id").GetInt32()));
        Assert.Empty(nobody.EnumerateArray());
    }
}
