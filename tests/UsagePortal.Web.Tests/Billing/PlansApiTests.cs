using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.SubscriptionsApi;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>POST/GET /api/v1/plans: versions by code, the answer's shape, and every bad input named and stored nowhere.</summary>
[Collection(SubscriptionsApiCollection.Name)]
public sealed class PlansApiTests(SubscriptionsPortal portal) : IAsyncLifetime
{
    private HttpClient api = null!;
    private string meter = null!;

    public async Task InitializeAsync()
    {
        portal.Clock.Now = SubscriptionsPortal.DefaultNow;
        api = await portal.ApiClientAsync();
        meter = await api.CreateCountMeterAsync("plans");
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private static JsonObject Graduated(string meter) => new()
    {
        ["meter"] = meter,
        ["model"] = "graduated",
        ["properties"] = new JsonObject
        {
            ["ranges"] = new JsonArray(
                new JsonObject { ["fromValue"] = 0, ["toValue"] = 10, ["perUnitAmount"] = 10, ["flatAmount"] = "2" },
                new JsonObject { ["fromValue"] = "11", ["toValue"] = null, ["perUnitAmount"] = "0.005", ["flatAmount"] = "3" }),
        },
        ["freeAllowance"] = "100",
    };

    private Task<(int Plans, int Versions)> StoredAsync(string code) =>
        portal.WithDbAsync(async db => (await db.Plans.CountAsync(p => p.Code == code), await db.PlanVersions.CountAsync(v => v.Plan!.Code == code)));

    [Fact]
    public async Task APlanIsCreatedAsVersionOneAndPostingItsCodeAgainMakesVersionTwo()
    {
        var code = PlanCode("pro");
        var other = await api.CreateCountMeterAsync("storage");
        var plan = Plan(code, "USD", "49.9", Standard(meter, "0.002"), Graduated(other));
        plan["minimumCommitment"] = 100;

        using var created = await api.PostJsonAsync("/api/v1/plans", plan);

        var first = await ReadAsync(created, HttpStatusCode.Created);
        Assert.Equal($"/api/v1/plans/{code}", created.Headers.Location?.OriginalString);
        Assert.Equal((code, $"Plan {code}", "USD", "monthly", "49.90", "100.00", 1), (
            first.GetProperty("code").GetString(), first.GetProperty("name").GetString(), first.GetProperty("currency").GetString(),
            first.GetProperty("interval").GetString(), first.GetProperty("flatFee").GetString(), first.GetProperty("minimumCommitment").GetString(),
            first.GetProperty("version").GetInt32()));
        Assert.Equal(SubscriptionsPortal.DefaultNow, first.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal([1], first.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        var charges = first.GetProperty("charges").EnumerateArray().ToList();
        Assert.Equal(2, charges.Count);
        Assert.Equal((meter, "standard", "0.002"), (charges[0].GetProperty("meter").GetString(), charges[0].GetProperty("model").GetString(),
            charges[0].GetProperty("properties").GetProperty("unitAmount").GetString()));
        var ranges = charges[1].GetProperty("properties").GetProperty("ranges").EnumerateArray().ToList();
        // Numbers come back as strings: no client parses a price as a binary float.
        Assert.Equal(("0", "10", "10", "2"), (ranges[0].GetProperty("fromValue").GetString(), ranges[0].GetProperty("toValue").GetString(),
            ranges[0].GetProperty("perUnitAmount").GetString(), ranges[0].GetProperty("flatAmount").GetString()));
        Assert.Equal(JsonValueKind.Null, ranges[1].GetProperty("toValue").ValueKind);
        Assert.Equal("100", charges[1].GetProperty("freeAllowance").GetString());

        plan["name"] = "Pro, cheaper calls";
        plan["charges"]![0]!["properties"]!["unitAmount"] = "0.0015";
        using var reposted = await api.PostJsonAsync("/api/v1/plans", plan);

        var second = await ReadAsync(reposted, HttpStatusCode.OK);
        Assert.Equal((2, "Pro, cheaper calls"), (second.GetProperty("version").GetInt32(), second.GetProperty("name").GetString()));
        Assert.Equal([1, 2], second.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal((1, 2), await StoredAsync(code));

        var latest = await api.GetJsonAsync($"/api/v1/plans/{code}");
        Assert.Equal(2, latest.GetProperty("version").GetInt32());
        Assert.Equal("0.0015", latest.GetProperty("charges")[0].GetProperty("properties").GetProperty("unitAmount").GetString());
        Assert.Equal([1, 2], latest.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        var versionOne = await api.GetJsonAsync($"/api/v1/plans/{code}/versions/1");
        Assert.Equal((1, $"Plan {code}", "0.002"), (versionOne.GetProperty("version").GetInt32(), versionOne.GetProperty("name").GetString(),
            versionOne.GetProperty("charges")[0].GetProperty("properties").GetProperty("unitAmount").GetString()));
        var listed = Assert.Single((await api.GetJsonAsync("/api/v1/plans")).EnumerateArray(), p => p.GetProperty("code").GetString() == code);
        Assert.Equal(2, listed.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task TheVersionIsStoredWithItsTermsItsAuthorAndAnAuditEntry()
    {
        var code = PlanCode("stored");

        await api.PublishPlanAsync(Plan(code, "JPY", "500", Standard(meter, "3")));

        var version = await portal.WithDbAsync(db => db.PlanVersions.AsNoTracking().SingleAsync(v => v.Plan!.Code == code));
        var hash = Web.Api.ApiKeys.Hash(DemoSettings.OperatorApiKey);
        var keyId = await portal.WithDbAsync(db => db.ApiKeys.Where(k => k.KeyHash == hash).Select(k => k.Id).SingleAsync());
        Assert.Equal(("JPY", 500L, 0L, $"api-key:{keyId}", "monthly"), (version.Currency, version.FlatFeeMinorUnits, version.MinimumCommitmentMinorUnits, version.CreatedBy, version.Interval));
        Assert.Equal($$$"""[{"meter":"{{{meter}}}","model":"standard","properties":{"unitAmount":"3"}}]""", version.ChargesJson);
        var audit = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.Subject == $"plan:{code}"));
        Assert.Equal(("plan.created", $"api-key:{keyId}"), (audit.Action, audit.Actor));
    }

    public static TheoryData<string, string, string> BadPlans => new()
    {
        { "a negative unit amount", """{"currency":"USD","charges":[{"meter":"$m","model":"standard","properties":{"unitAmount":"-1"}}]}""", "charges[0].properties.unitAmount" },
        { "unordered ranges", """{"currency":"USD","charges":[{"meter":"$m","model":"graduated","properties":{"ranges":[{"fromValue":"0","toValue":"20","perUnitAmount":"1"},{"fromValue":"11","toValue":"10","perUnitAmount":"1"},{"fromValue":"21","toValue":null,"perUnitAmount":"1"}]}}]}""", "charges[0].properties.ranges[1].toValue" },
        { "an unknown meter", """{"currency":"USD","charges":[{"meter":"no_such_meter_x","model":"standard","properties":{"unitAmount":"1"}}]}""", "charges[0].meter" },
        { "a flat fee in tenths of a cent", """{"currency":"USD","flatFee":"10.005","charges":[]}""", "flatFee" },
        { "a negative minimum commitment", """{"currency":"USD","minimumCommitment":"-5","charges":[]}""", "minimumCommitment" },
        { "an unknown currency", """{"currency":"XXY","charges":[]}""", "currency" },
        { "a yearly interval", """{"currency":"USD","interval":"yearly","charges":[]}""", "interval" },
        { "a meter charged twice", """{"currency":"USD","charges":[{"meter":"$m","model":"standard","properties":{"unitAmount":"1"}},{"meter":"$m","model":"standard","properties":{"unitAmount":"2"}}]}""", "charges[1].meter" },
        { "a negative free allowance", """{"currency":"USD","charges":[{"meter":"$m","model":"standard","properties":{"unitAmount":"1"},"freeAllowance":"-3"}]}""", "charges[0].freeAllowance" },
        { "an unknown model", """{"currency":"USD","charges":[{"meter":"$m","model":"tiered","properties":{}}]}""", "charges[0].model" },
        { "charges that are not an array", """{"currency":"USD","charges":{"meter":"$m"}}""", "charges" },
    };

    [Theory]
    [MemberData(nameof(BadPlans))]
    public async Task AnInvalidPlanIsRefusedNamingTheFieldAndNothingIsStored(string because, string json, string field)
    {
        var code = PlanCode("bad");
        var body = JsonNode.Parse(json.Replace("$m", meter, StringComparison.Ordinal))!.AsObject();
        body["code"] = code;

        using var response = await api.PostAsync("/api/v1/plans", Body(Json, body.ToJsonString()));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Errors.Any(e => e.Field == field), $"{because}: expected an error on '{field}', got {string.Join("; ", problem.Errors)}");
        Assert.Equal((0, 0), await StoredAsync(code));
    }

    [Fact]
    public async Task AnInvalidNewVersionLeavesThePlanAsItWas()
    {
        var code = PlanCode("keep");
        await api.PublishPlanAsync(Plan(code, "USD", "5", Standard(meter, "1")));

        using var response = await api.PostJsonAsync("/api/v1/plans", Plan(code, "USD", "5", Standard(meter, "-1"), Standard("ghost_meter", "1")));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["charges[0].properties.unitAmount"], problem.Errors.Select(e => e.Field));
        Assert.Equal((1, 1), await StoredAsync(code));
        using var unknownMeter = await api.PostJsonAsync("/api/v1/plans", Plan(code, "USD", "5", Standard(meter, "1"), Standard("ghost_meter", "1")));
        var unknown = await AssertProblemAsync(unknownMeter, HttpStatusCode.BadRequest);
        Assert.Equal(["charges[1].meter"], unknown.Errors.Select(e => e.Field));
        Assert.Contains("no meter has code 'ghost_meter'", unknown.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Equal((1, 1), await StoredAsync(code));
    }

    [Fact]
    public async Task ABodyThatIsNotAPlanIsRefused()
    {
        using var noCode = await api.PostAsync("/api/v1/plans", Body(Json, """{"currency":"USD"}"""));
        Assert.Contains("code", (await AssertProblemAsync(noCode, HttpStatusCode.BadRequest)).Errors.Select(e => e.Field));

        using var badCode = await api.PostAsync("/api/v1/plans", Body(Json, """{"code":"Pro Plan","currency":"USD"}"""));
        Assert.Contains("code", (await AssertProblemAsync(badCode, HttpStatusCode.BadRequest)).Errors.Select(e => e.Field));

        using var broken = await api.PostAsync("/api/v1/plans", Body(Json, """{"code":"x" """));
        Assert.Equal(["body"], (await AssertProblemAsync(broken, HttpStatusCode.BadRequest)).Errors.Select(e => e.Field));

        using var notJson = await api.PostAsync("/api/v1/plans", Body("text/plain", "code=x"));
        await AssertProblemAsync(notJson, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task UnknownPlansAndVersionsAnswer404()
    {
        var code = PlanCode("known");
        await api.PublishPlanAsync(Plan(code, "EUR", "0"));

        using var unknownPlan = await api.GetAsync($"/api/v1/plans/{PlanCode("unknown")}");
        await AssertProblemAsync(unknownPlan, HttpStatusCode.NotFound);
        using var unknownVersion = await api.GetAsync($"/api/v1/plans/{code}/versions/2");
        await AssertProblemAsync(unknownVersion, HttpStatusCode.NotFound);
        using var notAVersion = await api.GetAsync($"/api/v1/plans/{code}/versions/latest");
        await AssertProblemAsync(notAVersion, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PublicationsOfOneCodeAtOnceGetDistinctVersionNumbers()
    {
        var code = PlanCode("race");
        const int Posts = 6;

        var responses = await Task.WhenAll(Enumerable.Range(0, Posts).Select(async i =>
        {
            using var client = await portal.ApiClientAsync();
            using var response = await client.PostJsonAsync("/api/v1/plans", Plan(code, "USD", $"{i}", Standard(meter, "1")));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)r.StatusCode}: {r.Body}"));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var versions = responses.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("version").GetInt32()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Posts), versions);
        Assert.Equal((1, Posts), await StoredAsync(code));
    }
}
