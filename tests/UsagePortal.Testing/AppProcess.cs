using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UsagePortal.Testing;

/// <summary>How <see cref="AppProcess"/> starts the portal.</summary>
public enum AppLaunch
{
    /// <summary><c>dotnet UsagePortal.Web.dll</c> from the build output, in Development: the quickest start, for tests that need a process.</summary>
    BuiltAssembly,

    /// <summary>The README's command, <c>dotnet run --project src/UsagePortal.Web</c> (launch profile included), without building.</summary>
    DotnetRun,
}

/// <summary>
/// The portal as a separate operating-system process, on a free loopback port, with extra settings as command-line
/// arguments. For tests that need a real process: where it reads its files from, a hard kill, several nodes.
/// </summary>
/// <remarks>
/// Start-up is waited for, not timed: the process is ready when <c>/healthz</c> answers 200, and has failed when it
/// exits. On a loaded two-core machine a first start (migrations, a build's first JIT) can take minutes, so there is no
/// start-up limit a busy machine could miss; a guard of <see cref="HangGuard"/> only ends a test whose app hangs.
/// </remarks>
public sealed class AppProcess : IAsyncDisposable
{
    /// <summary>How long a start may take before the test is ended as hung; far beyond any start seen on a loaded machine.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private AppProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The configuration the tests were built with, so that the process runs the same binaries.</summary>
    public static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static async Task<AppProcess> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string> settings, AppLaunch launch = AppLaunch.BuiltAssembly)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var project = Path.Combine(RepositoryRoot.Path, "src", "UsagePortal.Web");
        if (launch == AppLaunch.DotnetRun)
        {
            foreach (var argument in new[] { "run", "--no-build", "-c", BuildConfiguration, "--project", project, "--" })
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.ArgumentList.Add(Path.Combine(project, "bin", BuildConfiguration, "net10.0", "UsagePortal.Web.dll"));
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        }

        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var app = new AppProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilHealthyAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>Starts <paramref name="count"/> nodes at once; if one fails, the others are stopped too (no stray node keeps working on a shared database).</summary>
    public static async Task<IReadOnlyList<AppProcess>> StartManyAsync(int count, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var starts = Enumerable.Range(0, count).Select(_ => StartAsync(workingDirectory, settings)).ToList();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var started in starts.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }
    }

    public HttpClient CreateClient(bool handleCookies = true) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = handleCookies, CookieContainer = new CookieContainer() }) { BaseAddress = Address };

    /// <summary>Ends the process at once, as <c>kill -9</c> does: no shutdown code runs.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    private async Task WaitUntilHealthyAsync()
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        var started = Stopwatch.StartNew();
        while (started.Elapsed < HangGuard)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but busy: ask again.
            }

            // Polls the condition; the exit check above ends the wait at once when the app fails.
            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(200));
        }

        throw new TimeoutException($"The app did not become healthy within {HangGuard} (a hang, not a slow start):\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
