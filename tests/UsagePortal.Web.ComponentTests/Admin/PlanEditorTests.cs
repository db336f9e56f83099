using System.Globalization;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Billing;
using UsagePortal.Domain;
using UsagePortal.Domain.Plans;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Pricing;
using UsagePortal.Web.Components.Pages.Admin;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>
/// The plan editor on /admin/plans/new and /admin/plans/{code}: a form per pricing model checked as it is typed, the
/// price calculator, the changes a new version makes, publishing, and moving subscriptions to the new version.
/// </summary>
[Collection(ComponentHostCollection.Name)]
public sealed class PlanEditorTests(ComponentHost host) : BillingPageTest(host)
{
    private Task<List<PlanVersion>> VersionsAsync(string code) =>
        WithDbAsync(db => db.PlanVersions.AsNoTracking().Where(v => v.Plan!.Code == code).OrderBy(v => v.Version).ToListAsync());

    private IRenderedComponent<PlanNew> RenderNew()
    {
        SignInAsAdmin();
        RenderProviders();
        var page = Render<PlanNew>();
        page.WaitForElement("[data-testid=charge]");
        return page;
    }

    private IElement Charge<T>(IRenderedComponent<T> page, int index) where T : IComponent => page.FindAll("[data-testid=charge]")[index];

    private static IElement In(IElement scope, string testId) => scope.QuerySelector($"[data-testid={testId}]") ?? throw new InvalidOperationException($"No {testId} here.");

    private static IElement Range(IElement charge, int index) => charge.QuerySelectorAll("[data-testid=range]")[index];

    /// <summary>Picks an option of the MudSelect marked <paramref name="testId"/> inside <paramref name="scope"/>.</summary>
    private void ChooseIn(IElement scope, string testId, string text)
    {
        In(scope, testId).Closest(".mud-input-control")!.MouseDown();
        var popovers = Popovers;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == text));
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == text).Click();
    }

    /// <summary>The message under an input; read in a WaitForAssertion, as an input's value reaches the form a render later under load.</summary>
    private static string FieldError(IElement input) =>
        Normalize(input.Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "");

    /// <summary>Types a plan with a graduated charge (0.01 to 1,000, then 0.005) and a package charge (5.00 per 100).</summary>
    private async Task<(IRenderedComponent<PlanNew> Page, string Code, string Calls, string Storage)> TypeGraduatedAndPackagePlanAsync()
    {
        var calls = await CreateMeterAsync();
        var storage = await CreateMeterAsync();
        var page = RenderNew();
        var code = PlansTests.NewCode("scale");
        await page.InvokeAsync(() => page.Find("[data-testid=plan-code]").Input(code));
        await page.InvokeAsync(() => page.Find("[data-testid=plan-name]").Input("Scale"));
        await page.InvokeAsync(() => page.Find("[data-testid=plan-flatFee]").Input("20"));

        var first = Charge(page, 0);
        ChooseIn(first, "charge-meter", calls);
        ChooseIn(Charge(page, 0), "charge-model", "Graduated: each range at its price");
        page.WaitForElement("[data-testid=charge] [data-testid=range]");
        await page.InvokeAsync(() => Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-to]")!.Input("1000"));
        await page.InvokeAsync(() => Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-price]")!.Input("0.01"));
        await page.InvokeAsync(() => In(Charge(page, 0), "add-range").Click());
        Assert.Equal("1000", Range(Charge(page, 0), 1).QuerySelector("[data-testid=range-from]")!.GetAttribute("value"));
        await page.InvokeAsync(() => Range(Charge(page, 0), 1).QuerySelector("[data-testid=range-price]")!.Input("0.005"));

        await page.InvokeAsync(() => page.Find("[data-testid=add-charge]").Click());
        ChooseIn(Charge(page, 1), "charge-meter", storage);
        ChooseIn(Charge(page, 1), "charge-model", "Package: a price per started package");
        page.WaitForElement("[data-testid=charge-packageSize]");
        await page.InvokeAsync(() => In(Charge(page, 1), "charge-amount").Input("5"));
        await page.InvokeAsync(() => In(Charge(page, 1), "charge-packageSize").Input("100"));
        return (page, code, calls, storage);
    }

    [Fact]
    public async Task APlanWithGraduatedAndPackageChargesIsPricedInTheCalculatorAndPublished()
    {
        var (page, code, calls, storage) = await TypeGraduatedAndPackagePlanAsync();

        // 12,500 calls: 1,000 at 0.01 and 11,500 at 0.005 = 67.50, through both ranges.
        ChooseIn(page.Find("[data-testid=calculator]"), "calculator-charge", $"1: {calls} (graduated)");
        await page.InvokeAsync(() => page.Find("[data-testid=calculator-units]").Input("12500"));
        page.WaitForAssertion(() => Assert.Equal("67.5 USD", Text(page.Find("[data-testid=calculator-total]"))));
        var rows = page.FindAll("[data-testid=calculator-breakdown] tbody tr").Select(Text).ToList();
        Assert.Equal(["0 to 1,000 at 0.01 USD 1,000 10 USD", "over 1,000 at 0.005 USD 11,500 57.5 USD"], rows);
        Assert.NotNull(page.Find("[data-testid=calculator-chart] svg"));

        // The package charge: 250 units are 3 started packages of 100.
        ChooseIn(page.Find("[data-testid=calculator]"), "calculator-charge", $"2: {storage} (package)");
        await page.InvokeAsync(() => page.Find("[data-testid=calculator-units]").Input("250"));
        page.WaitForAssertion(() => Assert.Equal("15 USD", Text(page.Find("[data-testid=calculator-total]"))));

        await page.InvokeAsync(() => page.Find("[data-testid=publish-plan]").Click());
        Assert.Contains($"Publish {code}?", DialogText());
        Answer("Publish");

        page.WaitForAssertion(() => Assert.Contains($"Plan {code} created: version 1 is published.", SnackbarText()));
        var version = Assert.Single(await VersionsAsync(code));
        Assert.Equal((2000L, "Scale", DemoSettings.AdminEmail), (version.FlatFeeMinorUnits, version.Name, version.CreatedBy));
        var charges = PlanTerms.ParseCharges(version.ChargesJson);
        Assert.Equal(new GraduatedProperties([new PriceRange(0, 1000, 0.01m), new PriceRange(1000, null, 0.005m)]), charges[0].Charge.Properties);
        Assert.Equal(new PackageProperties(5, 100), charges[1].Charge.Properties);
        Assert.True(await WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == "plan.created" && e.Subject == $"plan:{code}")));
    }

    [Fact]
    public async Task EachFieldIsCheckedAsItIsTypedAndNothingIsStoredUntilEveryFieldIsValid()
    {
        var meter = await CreateMeterAsync();
        var page = RenderNew();

        // A fresh form is not red all over: only what was typed is checked.
        Assert.Equal("", FieldError(page.Find("[data-testid=plan-code]")));
        await page.InvokeAsync(() => page.Find("[data-testid=plan-flatFee]").Input("10.005"));
        page.WaitForAssertion(() => Assert.Equal("must be a whole amount of USD (2 decimals at most)", FieldError(page.Find("[data-testid=plan-flatFee]"))));
        await page.InvokeAsync(() => page.Find("[data-testid=plan-code]").Input("Has Space"));
        page.WaitForAssertion(() => Assert.Contains("lower-case letters", FieldError(page.Find("[data-testid=plan-code]")), StringComparison.Ordinal));

        ChooseIn(Charge(page, 0), "charge-meter", meter);
        ChooseIn(Charge(page, 0), "charge-model", "Volume: all units at one range's price");
        page.WaitForElement("[data-testid=charge] [data-testid=range]");
        await page.InvokeAsync(() => Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-to]")!.Input("100"));
        await page.InvokeAsync(() => Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-price]")!.Input("-1"));
        page.WaitForAssertion(() => Assert.Equal("must not be negative", FieldError(Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-price]")!)));
        await page.InvokeAsync(() => In(Charge(page, 0), "add-range").Click());
        await page.InvokeAsync(() => Range(Charge(page, 0), 1).QuerySelector("[data-testid=range-to]")!.Input("50"));
        page.WaitForAssertion(() => Assert.Contains("must be greater than the previous range's toValue (100)", FieldError(Range(Charge(page, 0), 1).QuerySelector("[data-testid=range-to]")!), StringComparison.Ordinal));

        await page.InvokeAsync(() => page.Find("[data-testid=publish-plan]").Click());
        Assert.Empty(Dialogs.FindAll(".mud-dialog"));
        Assert.Empty(await WithDbAsync(db => db.Plans.AsNoTracking().Where(p => p.Code == "Has Space").ToListAsync()));
        // The calculator prices only a charge whose fields are valid.
        page.WaitForAssertion(() => Assert.Contains("Fix this charge's fields", Text(page.Find("[data-testid=calculator-unpriced]")), StringComparison.Ordinal));

        await page.InvokeAsync(() => page.Find("[data-testid=plan-code]").Input(PlansTests.NewCode("fixed")));
        await page.InvokeAsync(() => page.Find("[data-testid=plan-flatFee]").Input("10"));
        await page.InvokeAsync(() => Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-price]")!.Input("1"));
        await page.InvokeAsync(() => In(Range(Charge(page, 0), 1), "remove-range").Click());
        await page.InvokeAsync(() => Range(Charge(page, 0), 0).QuerySelector("[data-testid=range-to]")!.Input(""));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-input-error")));
        await page.InvokeAsync(() => page.Find("[data-testid=calculator-units]").Input("7"));
        page.WaitForAssertion(() => Assert.Equal("7 USD", Text(page.Find("[data-testid=calculator-total]"))));
    }

    [Fact]
    public async Task AChangedVersionShowsItsDifferencesPublishesAndMovesTheSubscriptionsOnTheOldOne()
    {
        var meter = await PlansTests.CreateMetersAsync(c => CreateMeterAsync(c));
        var code = PlansTests.NewCode("team");
        var (saved, errors) = await WithServiceAsync<PlanService, Result<PlanPublished>>(s => s.PublishAsync(PlansTests.PlanJson(code, meter), "tests"));
        Assert.True(saved is not null, string.Join("; ", errors));
        var customer = await CreateCustomerAsync();
        var start = DateTime.UtcNow.Date.AddDays(-20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var subscribed = await WithServiceAsync<SubscriptionService, Result<SubscriptionDetails>>(s => s.SubscribeAsync(new SubscribeRequest(customer.ExternalId, code, null, start, null, null, null), "tests"));
        Assert.True(subscribed.Succeeded, string.Join("; ", subscribed.Errors));
        SignInAsAdmin();
        RenderProviders();
        var page = Render<PlanDetail>(parameters => parameters.Add(p => p.Code, code));
        page.WaitForElement("[data-testid=plan-editor]");

        // The form starts from version 1: nothing changed, nothing to publish, no subscription on an older version.
        Assert.Equal(code, page.Find("[data-testid=plan-code]").GetAttribute("value"));
        Assert.True(page.Find("[data-testid=plan-code]").HasAttribute("disabled"));
        Assert.NotNull(page.Find("[data-testid=no-changes]"));
        Assert.True(page.Find("[data-testid=publish-plan]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=move-subscriptions]"));

        await page.InvokeAsync(() => In(Charge(page, 0), "charge-unitAmount").Input("0.0015"));
        await page.InvokeAsync(() => page.Find("[data-testid=plan-name]").Input("Team"));
        var changes = Text(page.Find("[data-testid=plan-diff]"));
        Assert.Contains("Name : Pro → becomes Team", changes, StringComparison.Ordinal);
        Assert.Contains($"Charge on {meter} : {meter}: first 1000 units free each period, then 0.002 USD per unit → becomes {meter}: first 1000 units free each period, then 0.0015 USD per unit", changes, StringComparison.Ordinal);

        await page.InvokeAsync(() => page.Find("[data-testid=publish-plan]").Click());
        Assert.Contains("Version 2 of", DialogText());
        Answer("Publish");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=plan-version]").Count));
        Assert.Contains("Changes from version 1 Name : Pro → becomes Team", Text(page.FindAll("[data-testid=plan-version]")[0]), StringComparison.Ordinal);
        Assert.Equal([1, 2], (await VersionsAsync(code)).Select(v => v.Version));

        // The subscription on version 1 is offered a move, and moved now.
        page.WaitForAssertion(() => Assert.Contains("1 subscription is on an older version", Text(page.Find("[data-testid=move-subscriptions]")), StringComparison.Ordinal));
        await page.InvokeAsync(() => page.FindAll("[data-testid=move-at] input[type=radio]")[1].Click());
        await page.InvokeAsync(() => page.Find("[data-testid=move-submit]").Click());
        Answer("Move them");
        page.WaitForAssertion(() => Assert.Contains("1 moved to version 2.", SnackbarText(), StringComparison.Ordinal));
        var phases = await WithDbAsync(db => db.SubscriptionPhases.AsNoTracking().Where(p => p.SubscriptionId == subscribed.Value!.Subscription.Id)
            .OrderBy(p => p.StartsAt).Select(p => p.PlanVersion!.Version).ToListAsync());
        Assert.Equal([1, 2], phases);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=move-subscriptions]")));
    }
}
