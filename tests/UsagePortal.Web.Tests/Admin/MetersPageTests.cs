using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Metering;

namespace UsagePortal.Web.Tests.Admin;

public sealed class MetersPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Page = "/admin/meters";
    private const string Form = "save-meter";

    [Fact]
    public async Task AnAdminCreatesAMeterThatIsStoredListedAndAudited()
    {
        using var admin = await SignInAsync();

        var response = await admin.SubmitFormAsync(Page, Form, Fields("gpu_seconds", "GPU seconds", "gpu.job", "sum", "usage.seconds", "region=eu, us\ntier=pro", "model, region"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Meter gpu_seconds created.", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        var meter = await FindAsync("gpu_seconds");
        Assert.Equal("GPU seconds", meter.Name);
        var version = Assert.Single(meter.Versions);
        Assert.Equal(1, version.Version);
        Assert.Equal("gpu.job", version.EventType);
        Assert.Equal("sum", version.Aggregation);
        Assert.Equal("usage.seconds", version.Property);
        var filters = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(version.FiltersJson)!;
        Assert.Equal(["eu", "us"], filters["region"]);
        Assert.Equal(["pro"], filters["tier"]);
        Assert.Equal(["model", "region"], JsonSerializer.Deserialize<List<string>>(version.GroupByJson));

        var list = PortalClient.Text(await admin.GetPageAsync(Page));
        Assert.Contains("gpu_seconds GPU seconds gpu.job sum usage.seconds", list);
        Assert.Contains("region = eu, us", list);
        Assert.Contains("meter.created", PortalClient.Text(await admin.GetPageAsync("/admin/audit")));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedNextToItsInputAndNothingIsStored()
    {
        using var admin = await SignInAsync();
        var before = await CountAsync();

        var response = await admin.SubmitFormAsync(Page, Form, Fields("Bad Code", "", "", "sum", "", "re..gion=eu\nplan=", "model, a..b, model"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("code must start with a lowercase letter", ErrorsOf(html, "code"));
        Assert.Contains("name is required.", ErrorsOf(html, "name"));
        Assert.Contains("eventType is required.", ErrorsOf(html, "eventType"));
        Assert.Contains("property is required for a sum meter.", ErrorsOf(html, "property"));
        var filters = ErrorsOf(html, "filters");
        Assert.Contains("Filter “re..gion” must not have an empty segment", filters);
        Assert.Contains("Filter “plan”: A filter needs at least one allowed value.", filters);
        var groupBy = ErrorsOf(html, "groupBy");
        Assert.Contains("Group-by property “a..b” must not have an empty segment", groupBy);
        Assert.Contains("\"model\" appears more than once in groupBy.", groupBy);
        Assert.Contains("""id="meter-filters" name="Input.Filters" rows="3" class="form-control font-monospace is-invalid""", html);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AFiltersLineWithoutAnEqualsSignOrAnUnknownAggregationStoresNothing()
    {
        using var admin = await SignInAsync();
        var before = await CountAsync();

        var response = await admin.SubmitFormAsync(Page, Form, Fields("typo_meter", "Typo", "typo.event", "median", "", "region=eu\nplan pro", ""));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("Line 2 (“plan pro”) has no “=”", ErrorsOf(html, "filters"));
        Assert.Contains("aggregation must be one of count, sum, max, unique_count, latest.", ErrorsOf(html, "aggregation"));
        Assert.DoesNotContain("data-testid=\"meter-saved\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AChangeToAMeterThatCountedNothingYetAppliesAtOnce()
    {
        using var admin = await SignInAsync();
        await admin.SubmitFormAsync(Page, Form, Fields("fresh_meter", "Fresh", "fresh.event", "count", "", "", ""));

        var response = await admin.SubmitFormAsync(Page, Form, Fields("fresh_meter", "Fresh", "fresh.event", "max", "gb", "", ""));

        Assert.Contains("Meter fresh_meter changed. It had counted no events yet, so the change applies at once.", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        var version = Assert.Single((await FindAsync("fresh_meter")).Versions);
        Assert.Equal("max", version.Aggregation);
        Assert.Equal("gb", version.Property);
    }

    [Fact]
    public async Task ChangingAMeterInUseSchedulesVersionTwoForNextMonth()
    {
        using var admin = await SignInAsync();
        await admin.SubmitFormAsync(Page, Form, Fields("pages_printed", "Pages printed", "print.job", "count", "", "", ""));
        await SendEventAsync("print.job", """{"pages":3}""");
        var meterId = (await FindAsync("pages_printed")).Id;
        Assert.True(await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().UsageRollups.AnyAsync(r => r.MeterId == meterId)), "The event was not counted.");
        var now = DateTime.UtcNow;
        var nextMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        var day = nextMonth.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

        var response = await admin.SubmitFormAsync(Page, Form, Fields("pages_printed", "Pages printed", "print.job", "sum", "pages", "", ""));

        Assert.Contains($"Meter pages_printed changed: it has counted events, so version 2 applies from {day} (00:00 UTC).", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        var versions = (await FindAsync("pages_printed")).Versions.OrderBy(v => v.Version).ToList();
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(("count", (string?)null), (versions[0].Aggregation, versions[0].Property));
        Assert.Equal(("sum", "pages"), (versions[1].Aggregation, versions[1].Property));
        Assert.Equal(nextMonth, versions[1].EffectiveFrom);
        var list = PortalClient.Text(await admin.GetPageAsync(Page));
        Assert.Contains($"pages_printed Pages printed print.job count none none none v1 changes on {day} to v2: sum of pages over print.job", list);
        Assert.Contains("meter.changed", PortalClient.Text(await admin.GetPageAsync("/admin/audit")));

        var again = await admin.SubmitFormAsync(Page, Form, Fields("pages_printed", "Pages printed", "print.job", "sum", "pages", "", ""));

        Assert.Contains("Meter pages_printed unchanged", PortalClient.Text(await again.Content.ReadAsStringAsync()));
        Assert.Equal(2, (await FindAsync("pages_printed")).Versions.Count);
    }

    [Fact]
    public async Task TheChangeLinkStartsTheFormFromTheMetersDefinition()
    {
        using var admin = await SignInAsync();
        await admin.SubmitFormAsync(Page, Form, Fields("edit_me", "Edit me", "edit.event", "unique_count", "user_id", "region=eu,us", "plan"));

        var html = await admin.GetPageAsync($"{Page}?edit=edit_me");

        Assert.Contains("value=\"edit_me\"", html);
        Assert.Contains("""<option value="unique_count" selected""", html);
        Assert.Contains("region=eu,us</textarea>", html);
        Assert.Contains("value=\"plan\"", html);
    }

    private async Task<PortalClient> SignInAsync()
    {
        var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        return admin;
    }

    private async Task SendEventAsync(string type, string dataJson)
    {
        using var http = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new StringContent($$"""{"id":"{{Guid.NewGuid()}}","type":"{{type}}","subject":"{{DemoSettings.CustomerExternalId}}","data":{{dataJson}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The text of the errors shown under one input: from its error block up to the next field's.</summary>
    private static string ErrorsOf(string html, string field)
    {
        var start = html.IndexOf($"id=\"meter-{field}-errors\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No errors are shown next to {field}.");
        var end = html.IndexOf("<div class=\"mb-3\">", start, StringComparison.Ordinal);
        return PortalClient.Text("<div " + html[start..(end < 0 ? html.IndexOf("</form>", start, StringComparison.Ordinal) : end)]);
    }

    private static Dictionary<string, string> Fields(string code, string name, string eventType, string aggregation, string property, string filters, string groupBy) => new()
    {
        ["Input.Code"] = code,
        ["Input.Name"] = name,
        ["Input.EventType"] = eventType,
        ["Input.Aggregation"] = aggregation,
        ["Input.Property"] = property,
        ["Input.Filters"] = filters,
        ["Input.GroupBy"] = groupBy,
    };

    private Task<Meter> FindAsync(string code) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Meters.AsNoTracking().Include(m => m.Versions).SingleAsync(m => m.Code == code));

    private Task<(int Meters, int Versions)> CountAsync() =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            return (await db.Meters.CountAsync(), await db.Set<MeterVersion>().CountAsync());
        });
}
