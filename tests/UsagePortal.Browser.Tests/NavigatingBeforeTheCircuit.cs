using Xunit.Abstractions;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// A person clicks the navigation in the moment after a full page load, before the page's circuit runs. In that moment
/// Blazor's router could already take the click (the address changed) while the server could not follow it yet, and the
/// old page stayed under the new address (seen in CI under load; not reproducible on demand). The portal now follows a
/// click in that moment as a plain page load, which cannot race: these tests hold the circuit back to make the moment
/// certain, and fail if the click is left to Blazor or the page shown is not the one asked for.
/// </summary>
public sealed class NavigatingBeforeTheCircuit(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture, output), IClassFixture<BrowserFixture>
{
    [Fact]
    public Task AClickBeforeTheCircuitRunsLoadsTheClickedPageWhichThenWorks() => InBrowserAsync(async page =>
    {
        // The circuit starts on the server (its root components sent), but what the server sends back is held until
        // released, then passed on in order.
        var gate = new HeldFrames();
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor"), socket =>
        {
            var server = socket.ConnectToServer();
            var rootsSent = 0;
            socket.OnMessage(frame =>
            {
                if (frame.Binary is { } sent && System.Text.Encoding.UTF8.GetString(sent).Contains("UpdateRootComponents", StringComparison.Ordinal))
                {
                    Volatile.Write(ref rootsSent, 1);
                }

                Forward(frame, server);
            });
            server.OnMessage(frame =>
            {
                if (frame.Binary is not null && Volatile.Read(ref rootsSent) == 1)
                {
                    gate.Pass(() => Forward(frame, socket));
                }
                else
                {
                    gate.PassAlways(() => Forward(frame, socket));
                }
            });
        });
        await SignInAsync(page, DemoSettings.AdminEmail, DemoSettings.AdminPassword, "/admin");
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Overview");
        await gate.FirstHeld.WaitAsync(TimeSpan.FromSeconds(60));
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=false]")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => { window.__beforeTheClick = true; }");

        gate.ReleaseLater(page.WaitForURLAsync(PathIs("/admin/customers")));
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(PathIs("/admin/customers"));
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Customers");
        Assert.False(await page.EvaluateAsync<bool>("() => window.__beforeTheClick === true"), "The click was left to Blazor instead of loading the page.");

        // The page's own circuit runs, the page is still the one the address names, and navigating within it works.
        await Expect(page.Locator("[data-testid=app-bar][data-interactive=true]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Customers");
        await Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true })).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bactive\b"));
        await Expect(page.GetByTestId("customers").GetByRole(AriaRole.Link, new() { Name = DemoSettings.CustomerName, Exact = true })).ToBeVisibleAsync();
        await page.EvaluateAsync("() => { window.__withinTheCircuit = true; }");
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Audit log", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathIs("/admin/audit"));
        await Expect(page.Locator("#main h1")).ToHaveTextAsync("Audit log");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__withinTheCircuit === true"), "A click once the circuit runs reloaded the page.");
    });

    private static void Forward(IWebSocketFrame frame, IWebSocketRoute to)
    {
        if (frame.Binary is { } binary)
        {
            to.Send(binary);
        }
        else
        {
            to.Send(frame.Text ?? "");
        }
    }

    /// <summary>Frames held until released, then passed on in the order they came, and every later one at once.</summary>
    private sealed class HeldFrames
    {
        private readonly Lock sync = new();
        private readonly List<Action> held = [];
        private readonly TaskCompletionSource firstHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool released;

        public Task FirstHeld => firstHeld.Task;

        public void Pass(Action send)
        {
            lock (sync)
            {
                if (!released)
                {
                    held.Add(send);
                    firstHeld.TrySetResult();
                    return;
                }
            }

            send();
        }

        /// <summary>Sends at once, after anything held if it has been released (so the order is kept).</summary>
        public void PassAlways(Action send)
        {
            lock (sync)
            {
                send();
            }
        }

        /// <summary>Releases the held frames once <paramref name="after"/> has finished, whether or not it succeeded.</summary>
        public void ReleaseLater(Task after) => after.ContinueWith(_ => Release(), TaskScheduler.Default);

        private void Release()
        {
            lock (sync)
            {
                released = true;
                foreach (var send in held)
                {
                    send();
                }
            }
        }
    }
}
