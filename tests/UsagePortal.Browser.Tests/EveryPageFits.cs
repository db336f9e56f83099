using System.Reflection;
using Microsoft.AspNetCore.Components;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// Every routable page, on a laptop (1280×900) and on a phone (390×844): its main content starts in the first screen and
/// nothing on it is wider than the screen. With <c>USAGEPORTAL_SCREENS</c> set, a picture of each is kept there (the
/// README links the committed ones).
/// </summary>
public sealed class EveryPageFits(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    private static readonly (int Width, int Height, string Name)[] Screens = [(1280, 900, "laptop"), (390, 844, "phone")];

    /// <summary>The pages nobody signs in for, and the account pages a signed-in person has.</summary>
    private static readonly string[] AccountPages =
    [
        "/Account/Login", "/Account/ForgotPassword", "/Account/ForgotPasswordConfirmation", "/Account/ResetPasswordConfirmation",
        "/Account/InvalidPasswordReset", "/Account/InvalidUser", "/Account/Lockout", "/Account/AcceptInvitation",
        "/Account/ResetPassword", "/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode",
    ];

    private static readonly string[] ManagePages =
    [
        "/Account/Manage", "/Account/Manage/ChangePassword", "/Account/Manage/TwoFactorAuthentication", "/Account/Manage/EnableAuthenticator",
        "/Account/Manage/Disable2fa", "/Account/Manage/GenerateRecoveryCodes", "/Account/Manage/ResetAuthenticator", "/Account/AccessDenied",
    ];

    /// <summary>Routes that are not pages a person reads: the root redirects, the error and not-found pages are the app's own answers.</summary>
    private static readonly string[] NotVisited = ["/", "/Error", "/not-found"];

    [Fact]
    public void EveryRoutablePageIsVisitedHere()
    {
        var routes = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>())
            .Select(r => r.Template)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        string[] visited = [.. PortalPages.Select(p => p.Route), .. AdminPages.Select(p => p.Route), .. AccountPages, .. ManagePages, .. NotVisited];

        Assert.Empty(routes.Except(visited, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public Task EveryPortalPageFitsALaptopAndAPhone() => VisitAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app", PortalPages);

    [Fact]
    public Task EveryAdminPageFitsALaptopAndAPhone() => VisitAsync(DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin", AdminPages);

    [Fact]
    public Task EveryAccountPageFitsALaptopAndAPhone() => InBrowserAsync(async page =>
    {
        var failures = new List<string>();
        foreach (var screen in Screens)
        {
            await page.SetViewportSizeAsync(screen.Width, screen.Height);
            await page.Context.ClearCookiesAsync();
            foreach (var path in AccountPages)
            {
                await CheckAsync(page, path, screen, Slug(path), failures);
            }

            await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
            foreach (var path in ManagePages)
            {
                await CheckAsync(page, path, screen, Slug(path), failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    });

    /// <summary>A page's route, and how to reach a real address for it from the page before (the first link of a list).</summary>
    private sealed record Visit(string Route, string? Path = null, string? LinkOn = null, string? LinkPattern = null);

    private static readonly Visit[] PortalPages =
    [
        new("/app", "/app"),
        new("/app/periods/{Month}", $"/app/periods/{DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)}"),
        new("/app/usage/events", "/app/usage/events?meter=api_calls&from=2026-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"),
        new("/app/invoices", "/app/invoices"),
        new("/app/invoices/{InvoiceId:long}", LinkOn: "/app/invoices", LinkPattern: "/app/invoices/"),
        new("/app/budgets", "/app/budgets"),
        new("/app/activity", "/app/activity"),
        new("/app/team", "/app/team"),
        new("/app/team/{UserId}", LinkOn: "/app/team", LinkPattern: "/app/team/"),
    ];

    private static readonly Visit[] AdminPages =
    [
        new("/admin", "/admin"),
        new("/admin/customers", "/admin/customers"),
        new("/admin/customers/{Id:int}", LinkOn: "/admin/customers", LinkPattern: "/admin/customers/"),
        new("/admin/customers/{Id:int}/credits", LinkOn: "/admin/customers", LinkPattern: "/admin/customers/"),
        new("/admin/meters", "/admin/meters"),
        new("/admin/plans", "/admin/plans"),
        new("/admin/plans/new", "/admin/plans/new"),
        new("/admin/plans/{Code}", LinkOn: "/admin/plans", LinkPattern: "/admin/plans/"),
        new("/admin/invoices", "/admin/invoices"),
        new("/admin/invoices/{InvoiceId:long}", LinkOn: "/admin/invoices", LinkPattern: "/admin/invoices/"),
        new("/admin/events", "/admin/events"),
        new("/admin/events/{EventRowId:long}", LinkOn: "/admin/events", LinkPattern: "/admin/events/"),
        new("/admin/api-keys", "/admin/api-keys"),
        new("/admin/audit", "/admin/audit"),
    ];

    private Task VisitAsync(string email, string password, string home, Visit[] visits) => InBrowserAsync(async page =>
    {
        await SignInAsync(page, email, password, home);
        var failures = new List<string>();
        foreach (var screen in Screens)
        {
            await page.SetViewportSizeAsync(screen.Width, screen.Height);
            foreach (var visit in visits)
            {
                var path = visit.Path ?? await FirstLinkAsync(page, visit.LinkOn!, visit.LinkPattern!, visit.Route.EndsWith("/credits", StringComparison.Ordinal));
                await CheckAsync(page, path, screen, Slug(visit.Route), failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    });

    /// <summary>The address of the first link on <paramref name="listPath"/> to one item under <paramref name="prefix"/> (links may be relative to the base address).</summary>
    private static async Task<string> FirstLinkAsync(IPage page, string listPath, string prefix, bool credits)
    {
        await page.GotoAsync(listPath.TrimStart('/'));
        var pattern = $"^/?{prefix.Trim('/')}/[^/?#]+$";
        string? href = null;
        await Expect(page.Locator("#main a[href]").First).ToBeVisibleAsync();
        for (var attempt = 0; href is null; attempt++)
        {
            var hrefs = await page.Locator("#main a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
            // A list's "new" link (New plan) is a page of its own, not an item.
            href = hrefs.FirstOrDefault(h => System.Text.RegularExpressions.Regex.IsMatch(h, pattern) && !h.EndsWith("/new", StringComparison.Ordinal));
            if (href is null)
            {
                // The list fills once its data is read: wait for one more link to appear, or give up with what is there.
                Assert.True(attempt < 50, $"{listPath} links no {prefix}…: {string.Join(", ", hrefs)}");
                await page.WaitForFunctionAsync("n => document.querySelectorAll('#main a[href]').length !== n", hrefs.Length, new() { Timeout = 15_000 })
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        var path = "/" + href.TrimStart('/');
        return credits ? path + "/credits" : path;
    }

    private async Task CheckAsync(IPage page, string path, (int Width, int Height, string Name) screen, string name, List<string> failures)
    {
        await page.GotoAsync(path.TrimStart('/'));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // Loading placeholders first give way to the page's data.
        await Expect(page.Locator("main .mud-skeleton, main .mud-progress-linear-indeterminate, #main .mud-skeleton")).ToHaveCountAsync(0);
        if (await page.Locator("h1").CountAsync() == 0)
        {
            failures.Add($"{path} at {screen.Width}×{screen.Height} ({page.Url}): no h1 heading.");
            return;
        }

        var layout = await page.EvaluateAsync<LayoutFacts>("""
            () => {
              const h1 = document.querySelector('h1');
              const main = document.querySelector('#main') || document.querySelector('main') || document.body;
              const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
              // The first thing after the heading that carries content: text, a control, a table, a chart.
              const content = [...main.querySelectorAll('p, table, svg, canvas, input, button, a, li, .mud-paper, .mud-alert, .mud-chip, dl, form')]
                .filter(e => !h1.contains(e) && !e.contains(h1) && visible(e) && (e.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_PRECEDING));
              const first = content.length ? content[0].getBoundingClientRect().top + window.scrollY : -1;
              let widest = '';
              let widestRight = 0;
              for (const e of document.body.querySelectorAll('*')) {
                if (!visible(e)) continue;
                // Inside a container that scrolls on its own (a wide table's frame), width is that container's business.
                let scroller = e.parentElement, scrolls = false;
                while (scroller && scroller !== document.body) { const o = getComputedStyle(scroller).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') { scrolls = true; break; } scroller = scroller.parentElement; }
                if (scrolls) continue;
                const right = e.getBoundingClientRect().right + window.scrollX;
                if (right > widestRight) { widestRight = right; widest = e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).slice(0, 3).join('.') : ''); }
              }
              return {
                headingTop: h1.getBoundingClientRect().top + window.scrollY,
                contentTop: first,
                scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
                viewportWidth: window.innerWidth,
                widestRight: Math.round(widestRight),
                widest: widest,
              };
            }
            """);
        var where = $"{path} at {screen.Width}×{screen.Height}";
        if (layout.HeadingTop >= screen.Height)
        {
            failures.Add($"{where}: the heading starts at {layout.HeadingTop:0} px, below the first screen.");
        }

        if (layout.ContentTop < 0 || layout.ContentTop >= screen.Height)
        {
            failures.Add($"{where}: the main content starts at {layout.ContentTop:0} px, below the first screen (or there is none).");
        }

        if (layout.ScrollWidth > layout.ViewportWidth || layout.WidestRight > layout.ViewportWidth + 1)
        {
            failures.Add($"{where}: the page is {layout.ScrollWidth} px wide in a {layout.ViewportWidth} px screen; widest: {layout.Widest} to {layout.WidestRight} px.");
        }

        await KeepScreenshotAsync(page, $"{name}-{screen.Name}");
        Output.WriteLine($"{where}: heading {layout.HeadingTop:0} px, content {layout.ContentTop:0} px, width {layout.ScrollWidth} px");
    }

    private static string Slug(string route) =>
        string.Concat(route.Replace("{", "", StringComparison.Ordinal).Split('}')[0..].Select(s => s.Split(':')[0]))
            .Replace('/', '-').Trim('-').ToLowerInvariant();

    private sealed class LayoutFacts
    {
        public double HeadingTop { get; set; }

        public double ContentTop { get; set; }

        public int ScrollWidth { get; set; }

        public int ViewportWidth { get; set; }

        public int WidestRight { get; set; }

        public string Widest { get; set; } = "";
    }
}
