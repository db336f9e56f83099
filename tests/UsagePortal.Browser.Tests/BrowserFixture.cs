namespace UsagePortal.Browser.Tests;

/// <summary>
/// One portal on a real socket and one headless Chromium, shared by the tests of a class; each test opens its own
/// <see cref="IBrowserContext"/> (own cookies, own storage) from it. A derived fixture may serve the portal differently
/// (other settings, or separate app processes).
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    /// <summary>Set by .ci/test-all; Debian's package puts Chromium here.</summary>
    public const string ChromiumVariable = "USAGEPORTAL_CHROMIUM";

    private IPlaywright? playwright;
    private IBrowser? browser;

    private KestrelPortalFactory? portal;

    /// <summary>The portal in this process (made on first use; a fixture serving separate processes never makes it).</summary>
    public KestrelPortalFactory Portal => portal ??= CreatePortal();

    public Uri BaseAddress { get; private set; } = default!;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The fixture has not started.");

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        // The machine is small and shared: allow slow first renders, but fail long before xunit would.
        SetDefaultExpectTimeout(15_000);
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ChromiumPath}. Install it (`apt-get install -y chromium`, which .ci/test-all does) or set {ChromiumVariable}.");
        }

        // The host and the browser start side by side: both take a few seconds.
        var server = StartAppAsync();
        try
        {
            // The driver is the Node one the package copies to .playwright/ in the output folder; no system Node needed.
            playwright = await Playwright.CreateAsync();
            browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // `playwright install` cannot download browsers here; Debian's Chromium, quiet and offline.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
            });
        }
        catch
        {
            // Let the host finish starting before the fixture is disposed; the browser's failure is the one to report.
            await server.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }

        BaseAddress = await server;
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        await StopAppAsync();
    }

    /// <summary>The in-process portal this fixture serves; override to give it settings of its own.</summary>
    protected virtual KestrelPortalFactory CreatePortal() => new();

    /// <summary>Starts the portal the browser opens and answers its address.</summary>
    protected virtual Task<Uri> StartAppAsync() => Task.Run(Portal.StartAndGetAddress);

    /// <summary>Stops what <see cref="StartAppAsync"/> started.</summary>
    protected virtual async ValueTask StopAppAsync()
    {
        if (portal is not null)
        {
            await portal.DisposeAsync();
        }
    }
}
