using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

public sealed class WorkingInThePortal(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task ACustomerOwnerInvitesSomeoneFromTheTeamPageAndSeesThemInTheTable() => InBrowserAsync(async page =>
    {
        var email = $"browser-{Guid.NewGuid():N}"[..16] + "@acme.example";
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Team", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/app/team"));
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Team");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToHaveCountAsync(0);

        await page.Locator("#invite-email").FillAsync(email);
        await page.Locator("#invite-name").FillAsync("Bea Browser");
        await page.Locator("#invite-role").SelectOptionAsync(new SelectOptionValue { Label = "Owner: also budgets, alerts and the team" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Invitation sent to {email}.");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = email });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByRole(AriaRole.Cell)).ToHaveTextAsync([Exactly("Bea Browser"), Exactly(email), Exactly("Owner"), new Regex("^Invited ")]);
        // The form is empty again, ready for the next person.
        await Expect(page.Locator("#invite-email")).ToHaveValueAsync("");
    });

    [Fact]
    public Task AFormIsSubmittedWithoutReloadingThePageAndTheAddressFollowsTheRedirect() => InBrowserAsync(async page =>
    {
        var externalId = $"boost-{Guid.NewGuid():N}"[..14];
        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin/customers");
        await page.EvaluateAsync("() => { window.__stillHere = true; }");

        await page.Locator("#customer-externalId").FillAsync(externalId);
        await page.Locator("#customer-name").FillAsync("Boosted Ltd");
        await page.Locator("#customer-email").FillAsync("billing@boosted.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create customer" }).ClickAsync();

        await Expect(page.Locator("main h1")).ToHaveTextAsync("Boosted Ltd");
        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/customers/\d+$"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__stillHere === true"), "The page was reloaded: the form did not go through htmx.");

        // A bad submission shows its errors in place, also without a reload.
        await page.GoBackAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Customers");
        await page.Locator("#customer-externalId").FillAsync("has space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create customer" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("no spaces");
    });

    [Fact]
    public Task TheSkipLinkMovesFocusToTheContentOfTheSamePage() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.GotoAsync("app/team");

        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(PathIs("/app/team#main"));
        await Expect(page.Locator("main#main")).ToBeFocusedAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Team");
    });

    private static Regex Exactly(string text) => new($"^{Regex.Escape(text)}$");

    [Fact]
    public Task TheFirstTabOnASignedInPageFocusesTheSkipToContentLink() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.GotoAsync("app");
        var skipLink = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        var hiddenBox = await skipLink.BoundingBoxAsync();

        await page.Keyboard.PressAsync("Tab");

        await Expect(skipLink).ToBeFocusedAsync();
        // Focused, it is no longer visually hidden: a sighted keyboard user sees it.
        var shownBox = await skipLink.BoundingBoxAsync();
        Assert.True(hiddenBox is null || hiddenBox.Width <= 1, $"Before focus the skip link should be visually hidden, but it is {hiddenBox?.Width} px wide.");
        Assert.True(shownBox is { Width: > 20, Height: > 10 }, $"The focused skip link should be visible, but its box is {shownBox?.Width}x{shownBox?.Height}.");
    });
}
