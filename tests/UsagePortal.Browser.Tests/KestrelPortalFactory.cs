using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace UsagePortal.Browser.Tests;

/// <summary>
/// The portal of <see cref="PortalFactory"/> (own SQLite file, Development, demo seeded), served by Kestrel on a real
/// socket so that a browser outside the process can reach it: 127.0.0.1 on a port the operating system picks.
/// </summary>
public sealed class KestrelPortalFactory : PortalFactory
{
    private readonly KeyValuePair<string, string>[] settings;

    public KestrelPortalFactory() : this([])
    {
    }

    /// <param name="settings">Settings of the test's own, e.g. a short session revalidation interval.</param>
    public KestrelPortalFactory(IEnumerable<KeyValuePair<string, string>> settings)
    {
        this.settings = [.. settings];
        // .NET 10's WebApplicationFactory: port 0 becomes http://127.0.0.1:0, so Kestrel binds a free loopback port.
        UseKestrel(0);
    }

    protected override IEnumerable<KeyValuePair<string, string>> Settings => settings;

    /// <summary>Unset, as in a newcomer's Development run: e-mailed links take the address Kestrel listens on.</summary>
    protected override string? PublicBaseUrl => null;

    /// <summary>Starts the host (once) and answers the address Kestrel actually bound, e.g. http://127.0.0.1:41234/.</summary>
    public Uri StartAndGetAddress()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("The server exposes no IServerAddressesFeature.");
        var bound = addresses.Select(a => new Uri(a)).FirstOrDefault(a => a.Port > 0)
            ?? throw new InvalidOperationException($"Kestrel reports no bound port: {string.Join(", ", addresses)}.");
        if (!System.Net.IPAddress.TryParse(bound.Host, out var ip) || !System.Net.IPAddress.IsLoopback(ip))
        {
            throw new InvalidOperationException($"Kestrel listens on {bound}, not on the loopback address.");
        }

        return bound;
    }
}
