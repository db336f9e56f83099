using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace UsagePortal.Web.Hosting;

/// <summary>
/// How the app starts from <c>dotnet run</c>: on http://localhost:5080 unless an address is configured (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>, <c>Kestrel:Endpoints</c>); a taken port or a missing setting
/// ends the start at once with one line on standard error (exit code 1), before the slow first-start work (migrations,
/// demo seeding, invoicing the demo); and once listening it says where, in one plain line.
/// </summary>
public static class PortalStartup
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>
    /// The launch profile sets no address (it would override ASPNETCORE_URLS: `dotnet run` exports the profile's
    /// applicationUrl as ASPNETCORE_URLS), so the default lives here and applies only when nothing else is configured.
    /// </summary>
    public static WebApplicationBuilder ListenOnDefaultAddressUnlessConfigured(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
            && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    /// <summary>Checks the settings and the port, prepares the database, serves until stopped; answers the exit code.</summary>
    public static async Task<int> RunPortalAsync(this WebApplication app)
    {
        try
        {
            _ = app.Services.GetRequiredService<IOptions<AppOptions>>().Value;
        }
        catch (OptionsValidationException invalid)
        {
            await Console.Error.WriteLineAsync(string.Join(" ", invalid.Failures));
            return 1;
        }

        var urls = IsKestrel(app) ? AddressesToBind(app) : [];
        if (TakenPort(urls) is { } taken)
        {
            await Console.Error.WriteLineAsync(PortInUse(taken));
            return 1;
        }

        if (urls.Count > 0)
        {
            // On a real socket (not a test host): the first start takes a while, and silence would look like a hang.
            await Console.Out.WriteLineAsync("UsagePortal is preparing its database (the first start also seeds the demo, which takes a while)...");
        }

        try
        {
            // Starting the host prepares the database first (DatabasePreparation), then binds the port.
            await app.StartAsync();
        }
        catch (IOException exception) when (AddressInUse(exception) && urls.Select(PortOf).FirstOrDefault(p => p > 0) is > 0 and var port)
        {
            // Taken in the moment between the check and the bind: the same one line (after the host's own log entry).
            await Console.Error.WriteLineAsync(PortInUse(port));
            return 1;
        }

        foreach (var address in app.Urls)
        {
            await Console.Out.WriteLineAsync($"UsagePortal is listening on {address}");
        }

        await app.WaitForShutdownAsync();
        return 0;
    }

    private static string PortInUse(int port) =>
        $"Port {port} is already in use. Start on another port with: dotnet run --project src/UsagePortal.Web -- --urls http://localhost:{SuggestPort(port)}";

    /// <summary>
    /// The URLs Kestrel will bind: those a host already gave the server (a test host on port 0), else the ones from the
    /// same settings Kestrel reads.
    /// </summary>
    private static List<string> AddressesToBind(WebApplication app)
    {
        if (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } preset)
        {
            return [.. preset];
        }

        var configuration = app.Configuration;
        if (configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
        {
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        var ports = new List<string>();
        foreach (var (key, scheme) in new[] { (WebHostDefaults.HttpPortsKey, "http"), (WebHostDefaults.HttpsPortsKey, "https") })
        {
            if (configuration[key] is { Length: > 0 } list)
            {
                ports.AddRange(list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"{scheme}://*:{p}"));
            }
        }

        return ports;
    }

    private static int PortOf(string url)
    {
        try
        {
            return BindingAddress.Parse(url).Port;
        }
        catch (FormatException)
        {
            return 0;
        }
    }

    /// <summary>The first configured port another process already listens on, if any.</summary>
    private static int? TakenPort(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue; // Kestrel says what is wrong with it.
            }

            if (address.Port == 0 || address.IsNamedPipe || address.IsUnixPipe)
            {
                continue;
            }

            // As Kestrel binds them: localhost is both loopbacks, an IP is itself, anything else every interface.
            IEnumerable<IPAddress> ips = string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
                ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
                : IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) ? [ip] : [IPAddress.IPv6Any, IPAddress.Any];
            if (ips.Any(candidate => InUse(new IPEndPoint(candidate, address.Port))))
            {
                return address.Port;
            }
        }

        return null;
    }

    private static bool InUse(IPEndPoint endpoint)
    {
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && !Socket.OSSupportsIPv6)
        {
            return false;
        }

        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (!OperatingSystem.IsWindows())
        {
            // As Kestrel does on Unix: a port whose old connections linger in TIME_WAIT is not "in use".
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        try
        {
            socket.Bind(endpoint);
            socket.Listen();
            return false;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            // E.g. no IPv6 loopback here: Kestrel skips it as well.
            return false;
        }
    }

    private static int SuggestPort(int taken)
    {
        foreach (var candidate in new[] { taken + 10, taken + 1, taken + 2, taken + 3, taken + 11, taken + 20 })
        {
            if (candidate is > 0 and < 65536 && !InUse(new IPEndPoint(IPAddress.Loopback, candidate)) && !InUse(new IPEndPoint(IPAddress.IPv6Loopback, candidate)))
            {
                return candidate;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool AddressInUse(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is Microsoft.AspNetCore.Connections.AddressInUseException
                || current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The in-process test server binds no port; only Kestrel's addresses are checked.</summary>
    private static bool IsKestrel(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true;
}
