using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Pricing;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// The API host for the plans, subscriptions and customers API tests: its clock reads what the test sets
/// (<see cref="Clock"/>), so "now", the current period and cancellations are exact; the background invoicer is off,
/// so the next period to invoice stays where the API put it.
/// </summary>
public class SubscriptionsPortal : MeteringPortal
{
    /// <summary>Mid-March 2026, noon UTC: the clock's reading unless a test sets another.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 3, 15, 12, 0, 0, TimeSpan.Zero);

    public SubscriptionsPortal() : this(DatabaseProvider.Sqlite)
    {
    }

    protected SubscriptionsPortal(DatabaseProvider provider) : base(provider)
    {
    }

    public TestClock Clock { get; } = new(DefaultNow);

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Billing:Enabled", "false")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public Task<T> WithDbAsync<T>(Func<UsagePortalDbContext, Task<T>> action) =>
        WithServicesAsync(services => action(services.GetRequiredService<UsagePortalDbContext>()));

    /// <summary>True when the invoicer was woken since the last call (and resets the signal).</summary>
    public Task<bool> InvoicerWokenAsync() =>
        // The signal is a semaphore: a zero-timeout wait answers whether it was released, and takes the release.
        Services.GetRequiredService<InvoicingSignal>().WaitAsync(TimeSpan.Zero, CancellationToken.None);

    /// <summary>A subscription with its phases, as stored.</summary>
    public Task<Subscription> StoredSubscriptionAsync(int id) =>
        WithDbAsync(db => db.Subscriptions.AsNoTracking().Include(s => s.Phases).ThenInclude(p => p.PlanVersion).SingleAsync(s => s.Id == id));

    /// <summary>How many subscriptions a customer has.</summary>
    public Task<int> SubscriptionCountAsync(string externalId) =>
        WithDbAsync(db => db.Subscriptions.CountAsync(s => db.Customers.Any(c => c.Id == s.CustomerId && c.ExternalId == externalId)));
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class PostgresSubscriptionsPortal() : SubscriptionsPortal(DatabaseProvider.Postgres);

/// <summary>One host shared by the plans, subscriptions and customers API tests; they run one after the other (the clock is shared).</summary>
[CollectionDefinition(Name)]
public sealed class SubscriptionsApiCollection : ICollectionFixture<SubscriptionsPortal>
{
    public const string Name = "Plans, subscriptions and customers API";
}

/// <summary>The plans, subscriptions and customers API as an operator's backend calls it.</summary>
public static class SubscriptionsApi
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsync(url, Body(Json, body is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(body)));

    /// <summary>Expects <paramref name="status"/> and answers the JSON body.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    /// <summary>A count meter with a unique code; answers the code.</summary>
    public static async Task<string> CreateCountMeterAsync(this HttpClient client, string prefix = "calls")
    {
        var code = Unique.MeterCode(prefix);
        await client.CreateMeterAsync(Meter(code, Unique.EventType(prefix), "count"));
        return code;
    }

    /// <summary>A standard charge in the charge JSON.</summary>
    public static JsonObject Standard(string meter, string unitAmount) =>
        new() { ["meter"] = meter, ["model"] = "standard", ["properties"] = new JsonObject { ["unitAmount"] = unitAmount } };

    /// <summary>A plan in the plans API's shape.</summary>
    public static JsonObject Plan(string code, string currency, string flatFee, params JsonNode[] charges) => new()
    {
        ["code"] = code,
        ["name"] = $"Plan {code}",
        ["currency"] = currency,
        ["interval"] = "monthly",
        ["flatFee"] = flatFee,
        ["minimumCommitment"] = "0",
        ["charges"] = new JsonArray(charges.Select(c => c.DeepClone()).ToArray()),
    };

    /// <summary>A plan code no other test uses.</summary>
    public static string PlanCode(string prefix = "plan") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];

    /// <summary>Publishes a plan (any version) and answers it.</summary>
    public static async Task<JsonElement> PublishPlanAsync(this HttpClient client, JsonObject plan)
    {
        using var response = await client.PostJsonAsync("/api/v1/plans", plan);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"POST /api/v1/plans answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A plan with one standard charge on a new meter; answers (plan code, meter code).</summary>
    /// <summary>
    /// A plan change previewed, then confirmed ten minutes later with the preview's prorationDate: the preview changes
    /// nothing, and the invoice the period then closes into holds exactly the previewed lines (both SQLite and PostgreSQL).
    /// </summary>
    public static async Task PreviewConfirmAndInvoiceAPlanChangeAsync(this SubscriptionsPortal portal, HttpClient api)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var now = SubscriptionsPortal.DefaultNow;
        portal.Clock.Now = now;
        var (plan, _) = await api.CreateSimplePlanAsync();
        var (other, _) = await api.CreateSimplePlanAsync(flatFee: "99");
        var id = (await api.SubscribeAsync(new { customer = await api.CreateApiCustomerAsync(), plan, startDate = "2026-01-10" })).GetProperty("id").GetInt32();
        // The invoicer is off in these hosts: March is made the next period to invoice, as closing the earlier ones would.
        await portal.WithDbAsync(async db =>
        {
            SubscriptionSchedule.ScheduleFrom(await db.Subscriptions.SingleAsync(s => s.Id == id), now.UtcDateTime);
            return await db.SaveChangesAsync();
        });

        using var response = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan/preview", new { plan = other, at = "now" });
        var preview = await ReadAsync(response, HttpStatusCode.OK);

        // Nothing changed: one phase, no audit entry.
        Assert.Single((await portal.StoredSubscriptionAsync(id)).Phases);
        Assert.False(await portal.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "subscription.plan_changed" && a.Subject == $"subscription:{id}")));
        Assert.Equal((now, now, other, 1), (preview.Instant("prorationDate")!.Value, preview.Instant("changesFrom")!.Value, preview.GetProperty("plan").GetString(), preview.GetProperty("planVersion").GetInt32()));
        // March as it stands: a whole month of the 10.00 fee; with the change, 14.5 days of 10.00 and 16.5 of 99.00.
        Assert.Equal("10.00", preview.GetProperty("current").GetProperty("total").GetString());
        var withChange = preview.GetProperty("withChange");
        Assert.Equal((Utc(2026, 3, 1), Utc(2026, 4, 1)), (withChange.GetProperty("period").Instant("start")!.Value, withChange.GetProperty("period").Instant("end")!.Value));
        List<(string Kind, string Description, string Amount)> previewed =
            [.. withChange.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("kind").GetString()!, l.GetProperty("description").GetString()!, l.GetProperty("amount").GetString()!))];
        Assert.Contains(("flat_fee", "4.68"), previewed.Select(l => (l.Kind, l.Amount)));
        Assert.Contains(("flat_fee", "52.69"), previewed.Select(l => (l.Kind, l.Amount)));
        Assert.Equal("57.37", withChange.GetProperty("total").GetString());

        // Confirmed ten minutes later with the preview's instant: the phases split there, not at the confirmation.
        portal.Clock.Now = now.AddMinutes(10);
        using var confirm = await api.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan = other, at = "now", prorationDate = preview.GetProperty("prorationDate").GetString() });
        Assert.Equal([(plan, 1, Utc(2026, 1, 10), (DateTimeOffset?)now), (other, 1, now, null)], (await ReadAsync(confirm, HttpStatusCode.OK)).Phases());

        portal.Clock.Now = Utc(2026, 4, 1, 0, 5);
        await portal.WithServicesAsync(services => services.GetRequiredService<InvoiceRunner>().CloseDuePeriodsAsync());
        portal.Clock.Now = now;
        var draft = await portal.WithDbAsync(db => db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.SubscriptionId == id && i.PeriodStart == Utc(2026, 3, 1).UtcDateTime));
        Assert.Equal(previewed, [.. draft.Lines.OrderBy(l => l.Position).Select(l => (l.Kind, l.Description, Currency.FromCode("USD").FormatMinorUnits(l.Amount)))]);
        Assert.Equal(5737, draft.Total);
    }

    public static async Task<(string Plan, string Meter)> CreateSimplePlanAsync(this HttpClient client, string currency = "USD", string flatFee = "10", string unitAmount = "0.01")
    {
        var meter = await client.CreateCountMeterAsync();
        var code = PlanCode();
        await client.PublishPlanAsync(Plan(code, currency, flatFee, Standard(meter, unitAmount)));
        return (code, meter);
    }

    /// <summary>Creates a customer through the customers API; answers its externalId.</summary>
    public static async Task<string> CreateApiCustomerAsync(this HttpClient client, string currency = "USD", string timeZone = "UTC")
    {
        var externalId = Unique.Name("sub-cust");
        using var response = await client.PostJsonAsync("/api/v1/customers", new { externalId, name = "Customer " + externalId[..16], email = $"{externalId}@example.test", currency, timeZone, taxRate = "0" });
        await ReadAsync(response, HttpStatusCode.Created);
        return externalId;
    }

    public static async Task<JsonElement> SubscribeAsync(this HttpClient client, object body)
    {
        using var response = await client.PostJsonAsync("/api/v1/subscriptions", body);
        return await ReadAsync(response, HttpStatusCode.Created);
    }

    public static async Task<JsonElement> CancelAsync(this HttpClient client, int id, string at)
    {
        using var response = await client.PostJsonAsync($"/api/v1/subscriptions/{id}/cancel", new { at });
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    public static async Task<JsonElement> ChangePlanAsync(this HttpClient client, int id, string plan, string at, int? planVersion = null)
    {
        using var response = await client.PostJsonAsync($"/api/v1/subscriptions/{id}/plan", new { plan, planVersion, at });
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    /// <summary>An instant of an answer, parsed.</summary>
    public static DateTimeOffset? Instant(this JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetDateTimeOffset();

    /// <summary>The phases of a subscription answer as (plan, version, startsAt, endsAt).</summary>
    public static List<(string Plan, int Version, DateTimeOffset StartsAt, DateTimeOffset? EndsAt)> Phases(this JsonElement subscription) =>
        [.. subscription.GetProperty("phases").EnumerateArray().Select(p => (p.GetProperty("plan").GetString()!, p.GetProperty("version").GetInt32(), p.Instant("startsAt")!.Value, p.Instant("endsAt")))];

    /// <summary>A period of an answer as (start, end), or null.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End)? Period(this JsonElement subscription, string property) =>
        subscription.GetProperty(property).ValueKind == JsonValueKind.Null
            ? null
            : (subscription.GetProperty(property).Instant("start")!.Value, subscription.GetProperty(property).Instant("end")!.Value);

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);
}
