using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UsagePortal.Testing;

namespace UsagePortal.Benchmarks;

/// <summary>The app's Release build as its own process (so its memory can be read), in Development (the demo key and meters are seeded).</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ServerProcess> StartAsync(TestDatabase database, string configuration)
    {
        var dll = Path.Combine(RepositoryRoot.Path, "src", "UsagePortal.Web", "bin", configuration, "net10.0", "UsagePortal.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the app first: dotnet build -c {configuration} src/UsagePortal.Web", dll);
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot.Path, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in new[]
        {
            $"--urls=http://127.0.0.1:{port}",
            $"--Database:Provider={database.Provider}",
            $"--ConnectionStrings:{database.Provider}={database.ConnectionString}",
            $"--Email:PickupDirectory={Path.Combine(Path.GetTempPath(), "usageportal-bench-mail")}",
            "--Logging:LogLevel:Default=Warning",
            "--Ingestion:MaxEventsPerBatch=10000",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"  server: {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        using var client = new HttpClient { BaseAddress = server.Address };
        for (var attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                if ((await client.GetAsync("healthz")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}.");
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The server did not start.");
    }

    /// <summary>Resident memory of the server process, in MiB.</summary>
    public double ResidentMegabytes
    {
        get
        {
            process.Refresh();
            return process.WorkingSet64 / 1024.0 / 1024.0;
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
