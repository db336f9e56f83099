using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Plans;
using UsagePortal.Metering;

namespace UsagePortal.Web.Tests.Admin;

/// <summary>
/// /admin/plans and /admin/plans/{code} as served (prerendered): admins only, an unknown plan not found. Listing and
/// publishing are tested with bunit in UsagePortal.Web.ComponentTests (Admin/PlansTests, Admin/PlanDetailTests).
/// </summary>
public sealed class PlansPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string Page = "/admin/plans";
    private const string Form = "publish-plan";

    private Task PublishAsync(string json) =>
        portal.WithServicesAsync(async services =>
        {
            var (saved, errors) = await services.GetRequiredService<PlanService>().PublishAsync(json, "tests");
            Assert.True(saved is not null, string.Join("; ", errors));
        });

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
        var meter = await CreateMetersAsync();
        var code = NewCode("secret");
        await PublishAsync(PlanJson(code, meter));
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
        var post = await owner.PostFormAsync($"{Page}/{code}", hidden, new Dictionary<string, string> { ["Input.Json"] = PlanJson(code, meter, unitAmount: "0") });
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal("/Account/AccessDenied", post.Headers.Location!.AbsolutePath());
        Assert.Single(await VersionsAsync(code));
    }
}
