using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Plans;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Metering;

namespace UsagePortal.Web.Tests.Admin;

/// <summary>The subscription section of /admin/customers/{id}: subscribe, change plan and cancel through plain forms.</summary>
public sealed class PlansCustomerSubscriptionTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static string Day(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<PortalClient> SignInAsync()
    {
        var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        return admin;
    }

    private Task<int> CreateCustomerAsync(string currency = "USD", string timeZone = "UTC") =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var externalId = $"subs-{Guid.NewGuid():N}";
            var customer = new Customer { ExternalId = externalId, Name = "Subscriber " + externalId[5..13], Email = $"{externalId}@example.test", Currency = currency, TimeZone = timeZone, CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer.Id;
        });

    /// <summary>A plan with one standard charge on a new meter; answers its code.</summary>
    private Task<string> CreatePlanAsync(string currency = "USD", string flatFee = "20") =>
        portal.WithServicesAsync(async services =>
        {
            var meter = $"m_{Guid.NewGuid():N}"[..20];
            var (savedMeter, _) = await services.GetRequiredService<MeterService>().SaveAsync(
                new MeterDefinition { Code = meter, Name = meter, EventType = $"{meter}.used", Aggregation = MeterAggregation.Count }, "tests");
            Assert.NotNull(savedMeter);
            var code = $"plan-{Guid.NewGuid():N}"[..17];
            var (saved, errors) = await services.GetRequiredService<PlanService>().PublishAsync(
                $$$"""{"code":"{{{code}}}","name":"Plan {{{code}}}","currency":"{{{currency}}}","flatFee":"{{{flatFee}}}","charges":[{"meter":"{{{meter}}}","model":"standard","properties":{"unitAmount":"0.01"}}]}""", "tests");
            Assert.True(saved is not null, string.Join("; ", errors));
            return code;
        });

    private Task<List<Subscription>> SubscriptionsAsync(int customerId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Subscriptions.AsNoTracking()
            .Include(s => s.Phases).ThenInclude(p => p.PlanVersion).ThenInclude(v => v!.Plan)
            .Where(s => s.CustomerId == customerId).ToListAsync());

    private async Task<int> SubscribeAsync(int customerId, string plan, DateTime start)
    {
        var externalId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.Id == customerId).Select(c => c.ExternalId).SingleAsync());
        var outcome = await portal.WithServicesAsync(services => services.GetRequiredService<SubscriptionService>()
            .SubscribeAsync(new SubscribeRequest(externalId, plan, null, Day(start), null, null, null), "tests"));
        Assert.True(outcome.Value is not null, string.Join("; ", outcome.Errors));
        return outcome.Value.Subscription.Id;
    }

    /// <summary>The text of the errors shown under one input of the section.</summary>
    private static string ErrorsOf(string html, string id)
    {
        var match = System.Text.RegularExpressions.Regex.Match(html, $"id=\"subscription-{id}-errors\"[^>]*>(?<errors>.*?)</div>\\s*</div>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(match.Success, $"No errors are shown next to {id}.");
        return PortalClient.Text(match.Groups["errors"].Value);
    }

    [Fact]
    public async Task ACustomerWithoutASubscriptionIsSubscribedFromTheirPage()
    {
        using var admin = await SignInAsync();
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var euroPlan = await CreatePlanAsync("EUR");
        var page = $"/admin/customers/{customer}";
        var start = DateTime.UtcNow.Date.AddDays(-3);

        var before = await admin.GetPageAsync(page);
        Assert.Contains("Not subscribed", PortalClient.Text(before));
        Assert.Contains($"value=\"{plan}\"", before);
        Assert.DoesNotContain($"value=\"{euroPlan}\"", before, StringComparison.Ordinal);
        Assert.Contains($"value=\"{Day(DateTime.UtcNow)}\"", before);

        var response = await admin.SubmitFormAsync(page, "subscribe", new Dictionary<string, string>
        {
            ["SubscribeInput.Plan"] = plan,
            ["SubscribeInput.StartDate"] = Day(start),
            ["SubscribeInput.BillingAnchor"] = "anniversary",
            ["SubscribeInput.TimeZone"] = "",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = PortalClient.Text(await response.Content.ReadAsStringAsync());
        Assert.Contains($"Subscribed to {plan}", text);
        Assert.Contains($"Plan {plan} version 1 (Plan {plan})", text);
        Assert.Contains("Anniversary months, time zone UTC", text);
        var subscription = Assert.Single(await SubscriptionsAsync(customer));
        Assert.Equal((start, "anniversary", "UTC", DemoSettings.AdminEmail), (subscription.StartsAt, subscription.BillingAnchor, subscription.TimeZone, subscription.CreatedBy));
        Assert.Equal(plan, Assert.Single(subscription.Phases).PlanVersion!.Plan!.Code);
        Assert.Null(PortalClient.FindForm(await admin.GetPageAsync(page), "subscribe"));
    }

    [Fact]
    public async Task BadSubscribeInputIsShownNextToItsFieldAndNothingIsStored()
    {
        using var admin = await SignInAsync();
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var euroPlan = await CreatePlanAsync("EUR");
        var page = $"/admin/customers/{customer}";

        var response = await admin.SubmitFormAsync(page, "subscribe", new Dictionary<string, string>
        {
            ["SubscribeInput.Plan"] = plan,
            ["SubscribeInput.StartDate"] = Day(DateTime.UtcNow.AddYears(2)),
            ["SubscribeInput.BillingAnchor"] = "fortnightly",
            ["SubscribeInput.TimeZone"] = "Mars/Olympus_Mons",
        });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("must be 'calendar' or 'anniversary'", ErrorsOf(html, "billingAnchor"));
        Assert.Contains("'Mars/Olympus_Mons' is not an IANA time zone", ErrorsOf(html, "timeZone"));
        Assert.DoesNotContain("data-testid=\"subscription-saved\"", html, StringComparison.Ordinal);
        var tooLate = await admin.SubmitFormAsync(page, "subscribe", new Dictionary<string, string> { ["SubscribeInput.Plan"] = plan, ["SubscribeInput.StartDate"] = Day(DateTime.UtcNow.AddYears(2)) });
        Assert.Contains("must be at most a year from now", ErrorsOf(await tooLate.Content.ReadAsStringAsync(), "startDate"));
        var euro = await admin.SubmitFormAsync(page, "subscribe", new Dictionary<string, string> { ["SubscribeInput.Plan"] = euroPlan, ["SubscribeInput.StartDate"] = Day(DateTime.UtcNow) });
        Assert.Contains("bills in EUR, but customer", ErrorsOf(await euro.Content.ReadAsStringAsync(), "subscribe-plan"));
        Assert.Empty(await SubscriptionsAsync(customer));
    }

    [Fact]
    public async Task ThePlanIsChangedNowThenTheSubscriptionIsCanceledAtPeriodEnd()
    {
        using var admin = await SignInAsync();
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var other = await CreatePlanAsync(flatFee: "99");
        var id = await SubscribeAsync(customer, plan, DateTime.UtcNow.Date.AddDays(-40));
        var page = $"/admin/customers/{customer}";

        var changed = await admin.SubmitFormAsync(page, "change-plan", new Dictionary<string, string> { ["ChangeInput.Plan"] = other, ["ChangeInput.At"] = "now" });

        var changedText = PortalClient.Text(await changed.Content.ReadAsStringAsync());
        Assert.Contains($"Moved to {other} now.", changedText);
        Assert.Contains($"Plan {other} version 1", changedText);
        var phases = Assert.Single(await SubscriptionsAsync(customer)).Phases.OrderBy(p => p.StartsAt).ToList();
        Assert.Equal([plan, other], phases.Select(p => p.PlanVersion!.Plan!.Code));
        Assert.Equal(phases[0].EndsAt, phases[1].StartsAt);

        var canceled = await admin.SubmitFormAsync(page, "cancel-subscription", new Dictionary<string, string> { ["CancelInput.At"] = "period_end" });

        var html = await canceled.Content.ReadAsStringAsync();
        Assert.Contains("Canceled: the subscription ends", PortalClient.Text(html));
        var subscription = Assert.Single(await SubscriptionsAsync(customer));
        var now = DateTime.UtcNow;
        var nextMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        Assert.Equal(nextMonth, subscription.EndsAt);
        Assert.NotNull(subscription.CanceledAt);
        Assert.Null(PortalClient.FindForm(html, "cancel-subscription"));
        Assert.Contains(">canceled</span>", html);
        Assert.Contains("subscription.canceled", PortalClient.Text(await admin.GetPageAsync("/admin/audit")));
        Assert.Equal(id, subscription.Id);
    }

    [Fact]
    public async Task AnUnknownTimingIsRefusedAndChangesNothing()
    {
        using var admin = await SignInAsync();
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        await SubscribeAsync(customer, plan, DateTime.UtcNow.Date);

        var response = await admin.SubmitFormAsync($"/admin/customers/{customer}", "cancel-subscription", new Dictionary<string, string> { ["CancelInput.At"] = "tomorrow" });

        Assert.Contains("must be 'period_end' or 'now'", ErrorsOf(await response.Content.ReadAsStringAsync(), "cancel-at"));
        Assert.Null(Assert.Single(await SubscriptionsAsync(customer)).CanceledAt);
    }

    [Fact]
    public async Task WithoutPlansInTheCustomersCurrencyThePageSaysWhereToPublishOne()
    {
        using var admin = await SignInAsync();
        var customer = await CreateCustomerAsync("CHF");

        var text = PortalClient.Text(await admin.GetPageAsync($"/admin/customers/{customer}"));

        Assert.Contains("Not subscribed", text);
        Assert.Contains("No plans in CHF yet. Publish one on the Plans page", text);
    }

    [Fact]
    public async Task ACustomerUserCannotSubscribeAnOrganisation()
    {
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        using var owner = portal.CreatePortalClient();
        await owner.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        var page = $"/admin/customers/{customer}";

        var open = await owner.GetAsync(page);
        Assert.Equal("/Account/AccessDenied", open.Headers.Location!.AbsolutePath());
        var team = PortalClient.FindForm(await owner.GetPageAsync("/app/team"), "invite")!;
        var hidden = new Dictionary<string, string>(team.HiddenFields) { ["_handler"] = "subscribe" };
        var post = await owner.PostFormAsync(page, hidden, new Dictionary<string, string> { ["SubscribeInput.Plan"] = plan, ["SubscribeInput.StartDate"] = Day(DateTime.UtcNow) });

        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal("/Account/AccessDenied", post.Headers.Location!.AbsolutePath());
        Assert.Empty(await SubscriptionsAsync(customer));
    }
}
