using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>The dashboard stays live: usage sent to the API shows on an open dashboard within a second, without a reload.</summary>
public sealed class LiveUsage(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    /// <summary>The demo customer's locale (DemoSeeder): how the dashboard writes its numbers.</summary>
    private static readonly CultureInfo AcmeCulture = CultureInfo.GetCultureInfo("en-US");

    /// <summary>Runs before the page's own scripts, so that the moment the stream opens cannot be missed.</summary>
    private const string WatchTheStream = "document.addEventListener('htmx:sseOpen', function () { window.__streamOpen = true; });";

    [Fact]
    public Task EventsSentToTheApiChangeTheOpenDashboardWithinASecondWithoutAReload() => InBrowserAsync(async page =>
    {
        await page.AddInitScriptAsync(WatchTheStream);
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.WaitForFunctionAsync("() => window.__streamOpen === true");
        var apiCalls = page.Locator("[data-meter='api_calls']");
        // On the first hour of a month the panel may still be empty, without the meter.
        var before = await apiCalls.CountAsync() == 0 ? 0 : decimal.Parse(await apiCalls.InnerTextAsync(), NumberStyles.Number, AcmeCulture);
        var expected = (before + 3).ToString("#,0", AcmeCulture);
        // A navigation would start a new window object and lose the marker.
        await page.EvaluateAsync("() => { window.__marker = 'same page'; }");
        await page.EvaluateAsync(
            """
            expected => {
                window.__shownAt = null;
                new MutationObserver(() => {
                    const total = document.querySelector("[data-meter='api_calls']");
                    if (window.__shownAt === null && total && total.textContent.trim() === expected) {
                        window.__shownAt = Date.now();
                    }
                }).observe(document.querySelector("[data-testid='live-usage']"), { childList: true, subtree: true, characterData: true });
            }
            """,
            expected);

        var postedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await PostApiRequestsAsync(3);

        await Expect(apiCalls).ToHaveTextAsync(expected, new() { Timeout = 1000 });
        Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.__marker"));
        Output.WriteLine($"api_calls went from {before} to {expected}, {await page.EvaluateAsync<long>("() => window.__shownAt") - postedAt} ms after the POST started.");
        await KeepScreenshotAsync(page, "dashboard-live");
    });

    [Fact]
    public Task WhenTheSessionHasEndedALiveUpdateLeadsToSignInInsteadOfNestingThatPage() => InBrowserAsync(async page =>
    {
        await page.AddInitScriptAsync(WatchTheStream);
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        await page.WaitForFunctionAsync("() => window.__streamOpen === true");

        // The open stream outlives the cookie; the next panel fetch is the first request without it.
        await page.Context.ClearCookiesAsync();
        await PostApiRequestsAsync(1);

        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Login\?ReturnUrl=%2Fapp$"));
        await Expect(page.Locator("header")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToHaveCountAsync(1);
    });

    /// <summary>
    /// htmx queues a trigger that fires while the element's fetch is in flight and replays it afterwards, but only from an
    /// element still in the page: this is why the live attributes sit on the Dashboard's stable element, not on the
    /// panel that each fetch replaces (which would drop the second change here and show one event too few).
    /// </summary>
    [Fact]
    public Task AChangeThatArrivesWhileThePanelIsBeingFetchedIsShownToo() => InBrowserAsync(async page =>
    {
        await page.AddInitScriptAsync(WatchTheStream + " document.addEventListener('htmx:afterSwap', function () { window.__swaps = (window.__swaps || 0) + 1; });");
        await SignInAsync(page, DemoSettings.CustomerEmail, DemoSettings.CustomerPassword, "/app");
        // The stream starts with a refresh of its own (LiveEndpoints); let it land first.
        await page.WaitForFunctionAsync("() => window.__swaps >= 1");
        var apiCalls = page.Locator("[data-meter='api_calls']");
        var before = await apiCalls.CountAsync() == 0 ? 0 : decimal.Parse(await apiCalls.InnerTextAsync(), NumberStyles.Number, AcmeCulture);
        var firstAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/app/fragments/usage", async route =>
        {
            // The server answers at once; the browser receives the answer late, as over a slow connection.
            var response = await route.FetchAsync();
            firstAnswered.TrySetResult();
            await Task.Delay(800);
            await route.FulfillAsync(new() { Response = response });
        });

        await PostApiRequestsAsync(1);
        await firstAnswered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await PostApiRequestsAsync(1);

        await Expect(apiCalls).ToHaveTextAsync((before + 2).ToString("#,0", AcmeCulture), new() { Timeout = 5000 });
    });

    /// <summary>Sends <paramref name="count"/> <c>api.request</c> events for the demo customer to the same server, as the operator's backend does.</summary>
    private async Task PostApiRequestsAsync(int count)
    {
        using var api = new HttpClient { BaseAddress = Fixture.BaseAddress };
        var events = Enumerable.Range(0, count).Select(_ => new
        {
            id = Guid.NewGuid().ToString(),
            source = "tests/browser-live-usage",
            type = "api.request",
            subject = DemoSettings.CustomerExternalId,
            time = DateTimeOffset.UtcNow,
            data = new { region = "eu-west", user_id = "u1" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/events") { Content = JsonContent.Create(events) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DemoSettings.OperatorApiKey);
        using var response = await api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
