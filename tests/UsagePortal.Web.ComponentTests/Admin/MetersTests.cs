using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain;
using UsagePortal.Data.Metering;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>/admin/meters: meters listed, created and changed from a form; errors at their fields; a change to a meter in use is confirmed and scheduled.</summary>
[Collection(ComponentHostCollection.Name)]
public sealed class MetersTests(ComponentHost host) : BillingPageTest(host)
{
    private IRenderedComponent<Meters> RenderPage(string query = "")
    {
        SignInAsAdmin();
        RenderProviders();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"admin/meters{query}");
        var page = Render<Meters>();
        page.WaitForElement("[data-testid=meters]");
        return page;
    }

    private static string NewCode(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    private void Fill(IRenderedComponent<Meters> page, string code, string name, string eventType, string aggregation, string property = "", string filters = "", string groupBy = "")
    {
        Type(page, "meter-code", code);
        Type(page, "meter-name", name);
        Type(page, "meter-eventType", eventType);
        if (aggregation != ValueOf(page, "meter-aggregation"))
        {
            Choose(page, "meter-aggregation", aggregation);
        }

        Type(page, "meter-property", property);
        Type(page, "meter-filters", filters);
        Type(page, "meter-groupBy", groupBy);
    }

    private Task<Meter> FindAsync(string code) =>
        WithDbAsync(db => db.Meters.AsNoTracking().Include(m => m.Versions).SingleAsync(m => m.Code == code));

    private Task<(int Meters, int Versions)> CountAsync() =>
        WithDbAsync(async db => (await db.Meters.CountAsync(), await db.Set<MeterVersion>().CountAsync()));

    private static string RowOf(IRenderedComponent<Meters> page, string code) =>
        Text(page.FindAll("[data-testid=meters] tbody tr").Single(r => r.QuerySelector("code")?.TextContent == code));

    [Fact]
    public async Task AnAdminCreatesAMeterThatIsStoredListedAndAudited()
    {
        var code = NewCode("gpu");
        var page = RenderPage();

        Fill(page, code, "GPU seconds", "gpu.job", "sum", "usage.seconds", "region=eu, us\ntier=pro", "model, region");
        page.Find("[data-testid=save-meter]").Click();

        page.WaitForAssertion(() => Assert.Contains($"Meter {code} created.", SnackbarText()));
        var meter = await FindAsync(code);
        Assert.Equal("GPU seconds", meter.Name);
        var version = Assert.Single(meter.Versions);
        Assert.Equal((1, "gpu.job", "sum", "usage.seconds"), (version.Version, version.EventType, version.Aggregation, version.Property));
        var filters = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(version.FiltersJson)!;
        Assert.Equal(["eu", "us"], filters["region"]);
        Assert.Equal(["pro"], filters["tier"]);
        Assert.Equal(["model", "region"], JsonSerializer.Deserialize<List<string>>(version.GroupByJson));
        page.WaitForAssertion(() => Assert.Contains($"{code} GPU seconds: sum of usage.seconds over gpu.job", RowOf(page, code)));
        Assert.Contains("GPU seconds gpu.job sum usage.seconds region = eu, us tier = pro model, region v1", RowOf(page, code));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "meter.created" && e.Subject == $"meter:{code}" && e.Actor == DemoSettings.AdminEmail)));
        // The form is empty again, for the next meter.
        Assert.Equal("", page.Find("[data-testid=meter-code]").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAtItsInputAndNothingIsStored()
    {
        var before = await CountAsync();
        var page = RenderPage();

        Fill(page, "Bad Code", "", "", "sum", "", "re..gion=eu\nplan=", "model, a..b, model");
        page.Find("[data-testid=save-meter]").Click();

        page.WaitForAssertion(() => Assert.Contains("code must start with a lowercase letter", ErrorAt(page, "meter-code")));
        Assert.Contains("name is required.", ErrorAt(page, "meter-name"));
        Assert.Contains("eventType is required.", ErrorAt(page, "meter-eventType"));
        Assert.Contains("property is required for a sum meter.", ErrorAt(page, "meter-property"));
        var filters = ErrorAt(page, "meter-filters");
        Assert.Contains("Filter “re..gion” must not have an empty segment", filters);
        Assert.Contains("Filter “plan”: A filter needs at least one allowed value.", filters);
        var groupBy = ErrorAt(page, "meter-groupBy");
        Assert.Contains("Group-by property “a..b” must not have an empty segment", groupBy);
        Assert.Contains("\"model\" appears more than once in groupBy.", groupBy);
        Assert.Equal("", ErrorAt(page, "meter-aggregation"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AFiltersLineWithoutAnEqualsSignStoresNothing()
    {
        var before = await CountAsync();
        var page = RenderPage();

        Fill(page, NewCode("typo"), "Typo", "typo.event", "count", filters: "region=eu\nplan pro");
        page.Find("[data-testid=save-meter]").Click();

        page.WaitForAssertion(() => Assert.Contains("Line 2 (“plan pro”) has no “=”", ErrorAt(page, "meter-filters")));
        Assert.Equal("", ErrorAt(page, "meter-code"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task AChangeToAMeterThatCountedNothingYetAppliesAtOnceWithoutAsking()
    {
        var code = await CreateMeterAsync(NewCode("fresh"));
        var page = RenderPage();

        Fill(page, code, "Fresh", $"{code}.used", "max", "gb");
        page.Find("[data-testid=save-meter]").Click();

        page.WaitForAssertion(() => Assert.Contains($"Meter {code} changed. It had counted no events yet, so the change applies at once.", SnackbarText()));
        Assert.Empty(Dialogs.FindAll(".mud-dialog"));
        var version = Assert.Single((await FindAsync(code)).Versions);
        Assert.Equal(("max", "gb"), (version.Aggregation, version.Property));
    }

    [Fact]
    public async Task ChangingAMeterInUseAsksFirstThenSchedulesVersionTwoForNextMonth()
    {
        var code = await CreateMeterAsync(NewCode("pages"));
        await CountAnEventAsync(code);
        var now = DateTime.UtcNow;
        var nextMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        var day = nextMonth.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"));
        var page = RenderPage();

        Fill(page, code, code, $"{code}.used", "sum", "pages");
        page.Find("[data-testid=save-meter]").Click();
        Assert.Contains($"this change becomes version 2, in force from {day} (00:00 UTC)", DialogText());
        Answer("Save version 2");

        page.WaitForAssertion(() => Assert.Contains($"Meter {code} changed: it has counted events, so version 2 applies from {day} (00:00 UTC).", SnackbarText()));
        var versions = (await FindAsync(code)).Versions.OrderBy(v => v.Version).ToList();
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(("count", (string?)null), (versions[0].Aggregation, versions[0].Property));
        Assert.Equal(("sum", "pages"), (versions[1].Aggregation, versions[1].Property));
        Assert.Equal(nextMonth, versions[1].EffectiveFrom);
        page.WaitForAssertion(() => Assert.Contains($"v1 changes on {day} to v2: sum of pages over {code}.used", RowOf(page, code)));
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "meter.changed" && e.Subject == $"meter:{code}")));

        Fill(page, code, code, $"{code}.used", "sum", "pages");
        page.Find("[data-testid=save-meter]").Click();

        page.WaitForAssertion(() => Assert.Contains($"Meter {code} unchanged", SnackbarText()));
        Assert.Equal(2, (await FindAsync(code)).Versions.Count);
    }

    [Fact]
    public async Task EachMeterSaysWhenItLastCountedAnEvent()
    {
        var counted = await CreateMeterAsync(NewCode("seen"));
        var idle = await CreateMeterAsync(NewCode("idle"));
        await CountAnEventAsync(counted);

        var page = RenderPage();

        var at = await WithDbAsync(db => db.UsageRollups.Where(r => r.MeterId == db.Meters.Single(m => m.Code == counted).Id).MaxAsync(r => r.UpdatedAt));
        page.WaitForAssertion(() => Assert.Equal(Formatting.PortalFormat.Operator.DateTime(at), Text(page.Find($"tr:has([data-testid=change-{counted}]) [data-testid=last-counted]"))));
        Assert.Equal("none yet", Text(page.Find($"tr:has([data-testid=change-{idle}]) [data-testid=last-counted]")));
    }

    [Fact]
    public async Task CancellingTheChangeOfAMeterInUseChangesNothing()
    {
        var code = await CreateMeterAsync(NewCode("kept"));
        await CountAnEventAsync(code);
        var page = RenderPage();

        Fill(page, code, code, $"{code}.used", "sum", "pages");
        page.Find("[data-testid=save-meter]").Click();
        Answer("Cancel");

        var version = Assert.Single((await FindAsync(code)).Versions);
        Assert.Equal("count", version.Aggregation);
        Assert.Equal(code, page.Find("[data-testid=meter-code]").GetAttribute("value"));
    }

    [Fact]
    public async Task TheChangeLinkAndButtonStartTheFormFromTheMetersDefinition()
    {
        var code = NewCode("edit");
        var (saved, errors) = await WithServiceAsync<Domain.Meters.MeterService, Result<Domain.Meters.MeterSaved>>(s => s.SaveAsync(new Metering.MeterDefinition
        {
            Code = code, Name = "Edit me", EventType = "edit.event", Aggregation = Metering.MeterAggregation.UniqueCount, Property = "user_id",
            Filters = new Dictionary<string, IReadOnlyList<string>> { ["region"] = ["eu", "us"] }, GroupBy = ["plan"],
        }, "tests"));
        Assert.True(saved is not null, string.Join("; ", errors));

        var page = RenderPage($"?edit={code}");

        Assert.Equal(code, page.Find("[data-testid=meter-code]").GetAttribute("value"));
        Assert.Equal("unique_count", ValueOf(page, "meter-aggregation"));
        Assert.Equal("region=eu,us", ValueOf(page, "meter-filters"));
        Assert.Equal("plan", page.Find("[data-testid=meter-groupBy]").GetAttribute("value"));
        Assert.Contains($"Change {code}", Text(page.Find("#meter-form h2")));

        page.Find("[data-testid=change-api_calls]").Click();

        page.WaitForAssertion(() => Assert.Equal("api_calls", page.Find("[data-testid=meter-code]").GetAttribute("value")));
    }

    /// <summary>The meter has counted an event: a rollup of it exists (as ingestion writes one).</summary>
    private Task CountAnEventAsync(string code) =>
        WithDbAsync(async db =>
        {
            var meter = await db.Meters.SingleAsync(m => m.Code == code);
            var customer = await db.Customers.Where(c => c.ExternalId == "acme").Select(c => c.Id).SingleAsync();
            var hour = DateTime.UtcNow;
            db.UsageRollups.Add(new UsageRollup { CustomerId = customer, MeterId = meter.Id, BucketStart = new DateTime(hour.Year, hour.Month, hour.Day, hour.Hour, 0, 0, DateTimeKind.Utc), Count = 1, UpdatedAt = hour });
            return await db.SaveChangesAsync();
        });
}
