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
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Team", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/app/team"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Team");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email })).ToHaveCountAsync(0);

        // The page navigated within the circuit; a reload would lose this mark.
        await page.EvaluateAsync("() => { window.__stillHere = true; }");
        var invite = page.GetByTestId("invite");
        await invite.GetByLabel("Name").FillAsync("Bea Browser");
        await invite.GetByLabel("E-mail").FillAsync(email);
        await invite.GetByText("Owner: also invites and removes people").ClickAsync();
        await invite.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();

        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Invitation sent to {email}.");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = email });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Bea Browser");
        await Expect(row).ToContainTextAsync("Owner");
        // The form is empty again, ready for the next person.
        await Expect(invite.GetByLabel("E-mail")).ToHaveValueAsync("");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__stillHere === true"), "The page was reloaded.");
    });

    [Fact]
    public Task AnAdminCreatesACustomerInADialogAndLandsOnItsPageWithoutAReload() => InBrowserAsync(async page =>
    {
        var externalId = $"boost-{Guid.NewGuid():N}"[..14];
        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin");
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Customers");
        await page.EvaluateAsync("() => { window.__stillHere = true; }");

        // A bad external id is named at its field, and the dialog stays open.
        await page.GetByRole(AriaRole.Button, new() { Name = "New customer" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("External id").FillAsync("has space");
        await dialog.GetByLabel("Name").FillAsync("Boosted Ltd");
        await dialog.GetByLabel("Billing e-mail").FillAsync("billing@boosted.example");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create customer" }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("no spaces");

        await dialog.GetByLabel("External id").FillAsync(externalId);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create customer" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/customers/\d+$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Boosted Ltd");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__stillHere === true"), "The page was reloaded.");
    });

    [Fact]
    public Task AnAdminFindsAnEventInTheExplorerAndSeesWhyAMeterDidNotCountIt() => InBrowserAsync(async page =>
    {
        // A meter of tokens on a type of its own, and an event of that type that has no tokens.
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var (type, meter, eventId) = ($"browser.tokens.{suffix}", $"tokens_{suffix}", $"evt-{suffix}");
        using (var api = new HttpClient { BaseAddress = Fixture.BaseAddress })
        {
            api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
            using var created = await api.PostAsync("api/v1/meters", System.Net.Http.Json.JsonContent.Create(new
            {
                code = meter, name = "Browser tokens", eventType = type, aggregation = "sum", property = "tokens", filters = new Dictionary<string, string[]>(), groupBy = Array.Empty<string>(),
            }));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            using var sent = await api.PostAsync("api/v1/events", System.Net.Http.Json.JsonContent.Create(new[]
            {
                new { id = eventId, source = "tests/browser", type, subject = DemoSettings.CustomerExternalId, time = DateTimeOffset.UtcNow.AddSeconds(-5), data = new { model = "small" } },
            }));
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
        }

        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin");
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Events", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Event explorer");

        await page.GetByLabel("Event id").FillAsync(eventId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var row = page.GetByTestId("events").Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync(type);
        await row.GetByTestId("event-link").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/admin/events/\d+$"));
        var verdict = page.Locator($"[data-meter={meter}]");
        await Expect(verdict).ToHaveAttributeAsync("data-counted", "false");
        await Expect(verdict).ToContainTextAsync("Property missing: the meter reads 'tokens', which this event does not have");
        await Expect(page.GetByTestId("event-data")).ToContainTextAsync("\"model\"");
        await KeepScreenshotAsync(page, "admin-event-explorer");
    });

    [Fact]
    public Task TheSkipLinkMovesFocusToTheContentOfTheSamePage() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.GotoAsync("app/team");
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Team");
        // Once the circuit runs (it puts focus on the heading as it starts, as after every navigation).
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(PathIs("/app/team#main"));
        await Expect(page.Locator("#main")).ToBeFocusedAsync();
    });

    [Fact]
    public Task TheSkipLinkIsTheFirstKeyboardStopAndShowsWhenFocused() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        // Once the circuit runs: as it starts it puts focus on the page's heading, as after every navigation.
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        var skipLink = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        var hiddenBox = await skipLink.BoundingBoxAsync();

        // Before anything else that takes focus (the app bar's buttons, the drawer, the page).
        var first = await page.EvaluateAsync<string>("""
            () => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
              .find(e => e.tabIndex >= 0 && !e.disabled)?.textContent?.trim() ?? ''
            """);
        Assert.Equal("Skip to content", first);

        await skipLink.FocusAsync();
        await Expect(skipLink).ToBeFocusedAsync();
        // Focused, it is no longer visually hidden: a sighted keyboard user sees it.
        var shownBox = await skipLink.BoundingBoxAsync();
        Assert.True(hiddenBox is null || hiddenBox.Width <= 1, $"Before focus the skip link should be visually hidden, but it is {hiddenBox?.Width} px wide.");
        Assert.True(shownBox is { Width: > 20, Height: > 10 }, $"The focused skip link should be visible, but its box is {shownBox?.Width}x{shownBox?.Height}.");
    });

    [Fact]
    public Task NavigatingWithinThePortalPutsFocusOnTheNewPagesHeading() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await Expect(page.Locator("[data-testid=dashboard][data-interactive=true]")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Invoices", Exact = true }).ClickAsync();

        // A screen reader announces the page that came in, as after a full load.
        await Expect(page.Locator("#main h1")).ToBeFocusedAsync();
    });
}
