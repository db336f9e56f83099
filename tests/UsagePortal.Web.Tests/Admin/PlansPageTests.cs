using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Meters;
using UsagePortal.Metering;

namespace UsagePortal.Web.Tests.Admin;

/// <summary>/admin/plans and /admin/plans/{code}: plans listed, published from pasted JSON, errors named, admins only.</summary>
public sealed class PlansPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Page = "/admin/plans";
    private const string Form = "publish-plan";

    private static string NewCode(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 11)];

    private static string PlanJson(string code, string meter, string unitAmount = "0.002", string flatFee = "49.9", string name = "Pro") => $$"""
        {
          "code": "{{code}}", "name": "{{name}}", "currency": "USD", "interval": "monthly", "flatFee": "{{flatFee}}", "minimumCommitment": "0",
          "charges": [
            { "meter": "{{meter}}", "model": "standard", "properties": { "unitAmount": "{{unitAmount}}" }, "freeAllowance": "1000" },
            { "meter": "{{meter}}_gb", "model": "graduated", "properties": { "ranges": [
              { "fromValue": "0", "toValue": "10", "perUnitAmount": "10", "flatAmount": "2" },
              { "fromValue": "11", "toValue": null, "perUnitAmount": "5", "flatAmount": "3" } ] } }
          ]
        }
        """;

    private async Task<string> CreateMetersAsync()
    {
        var code = $"m_{Guid.NewGuid():N}"[..20];
        await portal.WithServicesAsync(async services =>
        {
            var meters = services.GetRequiredService<MeterService>();
            foreach (var meter in new[] { code, code + "_gb" })
            {
                var (saved, errors) = await meters.SaveAsync(new MeterDefinition { Code = meter, Name = meter, EventType = $"{meter}.used", Aggregation = MeterAggregation.Count }, "tests");
                Assert.True(saved is not null, string.Join("; ", errors));
            }
        });
        return code;
    }

    private Task<List<PlanVersion>> VersionsAsync(string code) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().PlanVersions.AsNoTracking()
            .Where(v => v.Plan!.Code == code).OrderBy(v => v.Version).ToListAsync());

    private async Task<PortalClient> SignInAsync()
    {
        var admin = portal.CreatePortalClient();
        await admin.SignInAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword);
        return admin;
    }

    private static Dictionary<string, string> Json(string json) => new() { ["Input.Json"] = json };

    /// <summary>The text of the errors under the text area.</summary>
    private static string Errors(string html)
    {
        var start = html.IndexOf("id=\"plan-json-errors\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "No errors are shown under the plan JSON.");
        var block = html[start..html.IndexOf("</ul>", start, StringComparison.Ordinal)];
        return PortalClient.Text("<div " + block.Replace("<code>", "", StringComparison.Ordinal).Replace("</code>", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAdminPublishesAPlanFromItsJsonAndSeesItListed()
    {
        using var admin = await SignInAsync();
        var meter = await CreateMetersAsync();
        var code = NewCode("pro");

        var response = await admin.SubmitFormAsync(Page, Form, Json(PlanJson(code, meter)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"Plan {code} created: version 1 is published.", PortalClient.Text(await response.Content.ReadAsStringAsync()));
        var version = Assert.Single(await VersionsAsync(code));
        Assert.Equal((4990L, "USD", DemoSettings.AdminEmail), (version.FlatFeeMinorUnits, version.Currency, version.CreatedBy));
        var list = PortalClient.Text(await admin.GetPageAsync(Page));
        Assert.Contains($"{code} Pro v1 USD 49.90 USD none {meter}: first 1000 units free each period, then 0.002 USD per unit", list);
        Assert.Contains($"{meter}_gb: graduated: up to 10 at 10 USD per unit + 2 USD; over 10 at 5 USD per unit + 3 USD", list);
        Assert.Contains("plan.created", PortalClient.Text(await admin.GetPageAsync("/admin/audit")));
    }

    [Fact]
    public async Task EveryBadFieldIsNamedAndNothingIsStored()
    {
        using var admin = await SignInAsync();
        var meter = await CreateMetersAsync();
        var code = NewCode("bad");
        var json = PlanJson(code, meter, unitAmount: "-1", flatFee: "10.005").Replace($"\"{meter}_gb\"", "\"no_such_meter\"", StringComparison.Ordinal);

        var response = await admin.SubmitFormAsync(Page, Form, Json(json));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var errors = Errors(html);
        Assert.Contains("flatFee: must be a whole amount of USD (2 decimals at most)", errors);
        Assert.Contains("charges[0].properties.unitAmount: must not be negative", errors);
        Assert.DoesNotContain("data-testid=\"plan-published\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"form-control font-monospace is-invalid\"", html);
        // What was typed stays in the text area, to be fixed rather than typed again.
        Assert.Contains("&quot;10.005&quot;", html);
        Assert.Empty(await VersionsAsync(code));

        var unknownMeter = await admin.SubmitFormAsync(Page, Form, Json(json.Replace("-1", "1", StringComparison.Ordinal).Replace("10.005", "10", StringComparison.Ordinal)));
        Assert.Contains("charges[1].meter: no meter has code 'no_such_meter'", Errors(await unknownMeter.Content.ReadAsStringAsync()));
        Assert.Empty(await VersionsAsync(code));
    }

    [Fact]
    public async Task TextThatIsNotJsonIsRefused()
    {
        using var admin = await SignInAsync();

        var response = await admin.SubmitFormAsync(Page, Form, Json("""{ "code": "half" """));

        Assert.Contains("body: is not valid JSON", Errors(await response.Content.ReadAsStringAsync()));
        Assert.Empty(await VersionsAsync("half"));
    }

    [Fact]
    public async Task ThePlanPageShowsEveryVersionAndPublishesTheNext()
    {
        using var admin = await SignInAsync();
        var meter = await CreateMetersAsync();
        var code = NewCode("team");
        await admin.SubmitFormAsync(Page, Form, Json(PlanJson(code, meter)));
        var url = $"{Page}/{code}";

        var before = await admin.GetPageAsync(url);
        Assert.Contains("Version 1", PortalClient.Text(before));
        Assert.Contains("Publish version 2", PortalClient.Text(before));
        Assert.Contains($"&quot;code&quot;: &quot;{code}&quot;", before);

        var response = await admin.SubmitFormAsync(url, Form, Json(PlanJson(code, meter, unitAmount: "0.0015", name: "Team")));

        var text = PortalClient.Text(await response.Content.ReadAsStringAsync());
        Assert.Contains($"Plan {code} version 2 published.", text);
        Assert.Contains("Version 2 latest", text);
        Assert.Contains($"{meter}: first 1000 units free each period, then 0.0015 USD per unit", text);
        Assert.Contains($"{meter}: first 1000 units free each period, then 0.002 USD per unit", text);
        Assert.Contains("Publish version 3", text);
        Assert.Equal([1, 2], (await VersionsAsync(code)).Select(v => v.Version));
    }

    [Fact]
    public async Task ThePlanPagePublishesOnlyItsOwnPlan()
    {
        using var admin = await SignInAsync();
        var meter = await CreateMetersAsync();
        var code = NewCode("own");
        var other = NewCode("other");
        await admin.SubmitFormAsync(Page, Form, Json(PlanJson(code, meter)));

        var response = await admin.SubmitFormAsync($"{Page}/{code}", Form, Json(PlanJson(other, meter)));

        Assert.Contains($"code: must be '{code}' on this page", Errors(await response.Content.ReadAsStringAsync()));
        Assert.Empty(await VersionsAsync(other));
        Assert.Single(await VersionsAsync(code));
    }

    [Fact]
    public async Task AnUnknownPlanIsNotFound()
    {
        using var admin = await SignInAsync();

        var response = await admin.GetAsync($"{Page}/{NewCode("nothing")}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CustomerUsersAreRefusedThePlanPagesAndCannotPublish()
    {
        using var admin = await SignInAsync();
        var meter = await CreateMetersAsync();
        var code = NewCode("secret");
        await admin.SubmitFormAsync(Page, Form, Json(PlanJson(code, meter)));
        using var owner = portal.CreatePortalClient();
        await owner.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        foreach (var url in new[] { Page, $"{Page}/{code}" })
        {
            var response = await owner.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/Account/AccessDenied", response.Headers.Location!.AbsolutePath());
        }

        // A form post with the owner's own valid antiforgery token is refused as well.
        var team = PortalClient.FindForm(await owner.GetPageAsync("/Account/Manage/ChangePassword"), "change-password")!;
        var hidden = new Dictionary<string, string>(team.HiddenFields) { ["_handler"] = Form };
        var post = await owner.PostFormAsync($"{Page}/{code}", hidden, Json(PlanJson(code, meter, unitAmount: "0")));
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal("/Account/AccessDenied", post.Headers.Location!.AbsolutePath());
        Assert.Single(await VersionsAsync(code));
    }
}
