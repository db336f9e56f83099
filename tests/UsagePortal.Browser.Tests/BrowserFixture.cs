namespace UsagePortal.Browser.Tests;

/// <summary>
/// One portal on a real socket and one headless Chromium, shared by the tests of a class; each test opens its own
/// <see cref="IBrowserContext"/> (own cookies, own storage) from it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Set by .ci/test-all; Debian's package puts Chromium here.</summary>
    public const string ChromiumVariable = "USAGEPORTAL_CHROMIUM";

    private IPlaywright? playwright;
    private IBrowser? browser;

    public KestrelPortalFactory Portal { get; } = new();

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
        var server = Task.Run(Portal.StartAndGetAddress);
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
        await Portal.DisposeAsync();
    }
}
