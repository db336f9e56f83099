using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UsagePortal.Testing;

/// <summary>
/// <c>dotnet run --project src/UsagePortal.Web [-- arguments]</c> exactly as a person types it (launch profile
/// included), with chosen environment variables, standard output and standard error kept apart. For tests of how the
/// app starts: which address it takes, what it prints, how it fails.
/// </summary>
public sealed class RunCommand : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder standardOutput = new();
    private readonly StringBuilder standardError = new();

    private RunCommand(Process process) => this.process = process;

    public string StandardOutput
    {
        get
        {
            lock (standardOutput)
            {
                return standardOutput.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (standardError)
            {
                return standardError.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>
    /// Starts the app. <paramref name="environment"/> adds or (with a null value) removes variables; ASPNETCORE_URLS
    /// and ASPNETCORE_ENVIRONMENT from the test run's own environment are removed unless given.
    /// </summary>
    public static RunCommand Start(string workingDirectory, IEnumerable<string> appArguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--no-build", "-c", AppProcess.BuildConfiguration, "--project", Path.Combine(RepositoryRoot.Path, "src", "UsagePortal.Web") })
        {
            start.ArgumentList.Add(argument);
        }

        var arguments = appArguments.ToList();
        if (arguments.Count > 0)
        {
            start.ArgumentList.Add("--");
            arguments.ForEach(start.ArgumentList.Add);
        }

        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var command = new RunCommand(process);
        process.OutputDataReceived += (_, e) => Append(command.standardOutput, e.Data);
        process.ErrorDataReceived += (_, e) => Append(command.standardError, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return command;
    }

    /// <summary>Waits for the process to end by itself; throws with its output if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The app was still running after {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        // WaitForExitAsync also waits for the redirected streams to reach their end.
        return process.ExitCode;
    }

    /// <summary>Waits until <c>GET /healthz</c> at <paramref name="address"/> answers 200.</summary>
    public async Task WaitUntilHealthyAsync(Uri address, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            }

            try
            {
                if ((await client.GetAsync("healthz")).StatusCode == HttpStatusCode.OK)
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
                // Not answering yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The app did not become healthy at {address} within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
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
