using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>What the browser tests share: a fresh browser context per test, signing in through the real page, and a screenshot when a test fails.</summary>
public abstract class BrowserTest(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>Failure screenshots: TestResults/screenshots next to this project's file.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(
        typeof(BrowserTest).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "TestResults",
        "screenshots");

    /// <summary>When set, <see cref="KeepScreenshotAsync"/> saves pictures of chosen pages there, for a person to look at.</summary>
    public const string ScreensVariable = "USAGEPORTAL_SCREENS";

    protected BrowserFixture Fixture { get; } = fixture;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Runs <paramref name="test"/> on a new page in a new context; on failure saves a screenshot and says where.</summary>
    protected async Task InBrowserAsync(Func<IPage, Task> test, [CallerMemberName] string name = "")
    {
        await using var context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Fixture.BaseAddress.ToString(),
            Locale = "en-US",
            TimezoneId = "UTC",
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        // Every page of every test runs under the app's content security policy: whatever it blocks (a script, a
        // style, a connection) the browser reports on the console, and the test fails with it.
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add($"{page.Url}: {message.Text}");
                }
            }
        };
        try
        {
            await test(page);
            lock (violations)
            {
                Assert.True(violations.Count == 0, "The content security policy blocked something:\n" + string.Join("\n", violations));
            }
        }
        catch (Exception)
        {
            Directory.CreateDirectory(ScreenshotFolder);
            var file = Path.Combine(ScreenshotFolder, $"{GetType().Name}.{name}.png");
            try
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                Output.WriteLine($"Screenshot of the failing page ({page.Url}): {file}");
            }
            catch (PlaywrightException screenshotFailure)
            {
                Output.WriteLine($"No screenshot of {page.Url}: {screenshotFailure.Message}");
            }

            throw;
        }
    }

    /// <summary>Signs in through the real sign-in page, with the mouse, and waits for the page the portal sends the person to.</summary>
    protected static async Task SignInAsync(IPage page, string email, string password, string expectedPath)
    {
        await page.GotoAsync("Account/Login");
        await page.Locator("[id='Input.Email']").FillAsync(email);
        await page.Locator("[id='Input.Password']").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs(expectedPath));
    }

    /// <summary>A URL whose path is exactly <paramref name="path"/> (no query, no fragment).</summary>
    protected static Regex PathIs(string path) => new($"^https?://[^/]+{Regex.Escape(path)}$");

    /// <summary>Saves a picture of <paramref name="page"/> when <see cref="ScreensVariable"/> names a folder; does nothing otherwise.</summary>
    protected static async Task KeepScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable(ScreensVariable) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
        }
    }
}
