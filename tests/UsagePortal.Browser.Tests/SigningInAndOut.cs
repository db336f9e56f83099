using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

public sealed class SigningInAndOut(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task TheDemoCustomerOwnerSignsInThroughTheSignInPageAndSeesTheirDashboard() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");

        await Expect(page.Locator("main h1")).ToHaveTextAsync(DemoSettings.CustomerName);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Usage this period" })).ToBeVisibleAsync();
        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(navigation.GetByRole(AriaRole.Heading, new() { Name = "Portal" })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Team", Exact = true })).ToBeVisibleAsync();
        await Expect(navigation).Not.ToContainTextAsync("Customers");
        // Bootstrap's CSS arrived from the top-level wwwroot: the header is Bootstrap's dark grey, not unstyled.
        await Expect(page.Locator("header.navbar")).ToHaveCSSAsync("background-color", "rgb(33, 37, 41)");
        await KeepScreenshotAsync(page, "dashboard");
    });

    [Fact]
    public Task TheDemoAdminSignsInAndSeesEveryCustomerAndTheAdminNavigation() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin/customers");

        await Expect(page.Locator("main h1")).ToHaveTextAsync("Customers");
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Customers" });
        await Expect(table.GetByRole(AriaRole.Link, new() { Name = DemoSettings.CustomerName, Exact = true })).ToBeVisibleAsync();
        await Expect(table.GetByRole(AriaRole.Link, new() { Name = DemoSettings.OtherCustomerName, Exact = true })).ToBeVisibleAsync();
        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(navigation.GetByRole(AriaRole.Heading, new() { Name = "Admin" })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true })).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true })).ToBeVisibleAsync();
        await Expect(navigation).Not.ToContainTextAsync("Team");
        await Expect(page.GetByTestId("organisation")).ToHaveTextAsync("Operator admin");
        await KeepScreenshotAsync(page, "admin-customers");
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
        await Expect(page.Locator("main h1")).ToHaveTextAsync(DemoSettings.CustomerName);
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
        await Expect(page.Locator("#user-menu")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task SignOutInTheUserMenuSignsOutAndThePortalAsksToSignInAgain() => InBrowserAsync(async page =>
    {
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        var signOut = page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true });
        await Expect(signOut).ToBeHiddenAsync();

        // A Bootstrap dropdown: opening it needs Bootstrap's script to have loaded and run.
        await page.Locator("#user-menu").ClickAsync();
        await Expect(page.Locator("#user-menu")).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.GetByRole(AriaRole.List).Filter(new() { Has = signOut })).ToContainTextAsync(DemoSettings.CustomerEmail);
        await signOut.ClickAsync();

        await Expect(page).ToHaveURLAsync(PathIs("/Account/Login"));
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Sign in");
        await Expect(page.Locator("#user-menu")).ToHaveCountAsync(0);

        await page.GotoAsync("app");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login\\?ReturnUrl=%2Fapp$"));
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Sign in");
    });
}
