using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

public sealed class SigningInAndOut(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task TheDemoCustomerOwnerSignsInThroughTheSignInPageAndSeesTheirDashboard() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");

        await Expect(page.Locator("#main h1")).ToHaveTextAsync(DemoSettings.CustomerName);
        // The app bar names the organisation, not the product.
        await Expect(page.GetByTestId("organisation")).ToHaveTextAsync(DemoSettings.CustomerName);
        var navigation = page.GetByRole(AriaRole.Navigation);
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Team", Exact = true })).ToBeVisibleAsync();
        await Expect(navigation).Not.ToContainTextAsync("Customers");
        // MudBlazor's stylesheet and the theme arrived: the app bar is the theme's primary colour, not unstyled.
        await Expect(page.Locator(".mud-appbar")).Not.ToHaveCSSAsync("background-color", "rgba(0, 0, 0, 0)");
        await Expect(page.Locator("[data-testid=dashboard][data-interactive=true]")).ToHaveCountAsync(1);
    });

    [Fact]
    public Task TheDemoAdminSignsInToTheOverviewAndFindsEveryCustomer() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin");

        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Overview");
        // No wait for the circuit: a click at once is what a quick person does (NavigatingBeforeTheCircuit holds that moment).
        await Expect(page.GetByTestId("organisation")).ToHaveTextAsync("UsagePortal · Operator console");
        var navigation = page.GetByRole(AriaRole.Navigation);
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true })).ToBeVisibleAsync();
        await Expect(navigation).Not.ToContainTextAsync("Team");

        await navigation.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/admin/customers"));
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Customers");
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true })).ToHaveClassAsync(new Regex(@"\bactive\b"));
        var grid = page.GetByTestId("customers");
        await Expect(grid.GetByRole(AriaRole.Link, new() { Name = DemoSettings.CustomerName, Exact = true })).ToBeVisibleAsync();
        await Expect(grid.GetByRole(AriaRole.Link, new() { Name = DemoSettings.OtherCustomerName, Exact = true })).ToBeVisibleAsync();
    });

    [Fact]
    public Task SigningInWorksWithTheKeyboardAlone() => InBrowserAsync(async page =>
    {
        await page.GotoAsync("Account/Login");
        var email = page.Locator("[id='Input.Email']");
        var password = page.Locator("[id='Input.Password']");

        await email.FocusAsync();
        await page.Keyboard.TypeAsync(DemoSettings.CustomerEmail);
        await page.Keyboard.PressAsync("Tab");
        await Expect(password).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(DemoSettings.CustomerPassword);
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(PathIs("/app"));
        await Expect(page.Locator("#main h1")).ToHaveTextAsync(DemoSettings.CustomerName);
    });

    [Fact]
    public Task AWrongPasswordIsRefusedOnThePageWithAClearMessage() => InBrowserAsync(async page =>
    {
        // The member account, so that this failed attempt never counts towards locking out the owner the other tests use.
        await page.GotoAsync("Account/Login");
        await page.Locator("[id='Input.Email']").FillAsync(DemoSettings.MemberEmail);
        await page.Locator("[id='Input.Password']").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong e-mail or password.");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login"));
        await Expect(page.GetByTestId("user-menu")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task SignOutInTheUserMenuSignsOutAndThePortalAsksToSignInAgain() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await Expect(page.Locator("[data-testid=dashboard][data-interactive=true]")).ToHaveCountAsync(1);
        var menu = page.Locator(".mud-popover-open");
        await Expect(menu).ToHaveCountAsync(0);

        // A MudMenu: it opens over the circuit.
        await page.GetByRole(AriaRole.Button, new() { Name = "Your account" }).ClickAsync();
        await Expect(menu).ToContainTextAsync(DemoSettings.CustomerEmail);
        await menu.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(PathIs("/Account/Login"));
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Sign in");
        await Expect(page.GetByTestId("user-menu")).ToHaveCountAsync(0);

        await page.GotoAsync("app");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login\\?ReturnUrl=%2Fapp$"));
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Sign in");
    });
}
