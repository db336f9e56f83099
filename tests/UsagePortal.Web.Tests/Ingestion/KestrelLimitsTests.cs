using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Ingestion;

/// <summary>
/// The body limit on a real Kestrel server, which enforces its own request-size limit while a chunked body streams in:
/// before the hardening issue a chunked body over the limit got Kestrel's bare 413 instead of the problem naming it.
/// </summary>
public sealed class KestrelLimitsTests(KestrelLimitsTests.KestrelSmallLimitsPortal portal) : IClassFixture<KestrelLimitsTests.KestrelSmallLimitsPortal>
{
    private const int MaxBodyBytes = 64 * 1024;

    public sealed class KestrelSmallLimitsPortal : MeteringPortal
    {
        public KestrelSmallLimitsPortal()
        {
            UseKestrel(0);
        }

        /// <summary>The address Kestrel bound (started on first use).</summary>
        public Uri Address
        {
            get
            {
                StartServer();
                var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
                return new Uri(addresses.First());
            }
        }

        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
            [new("Ingestion:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitGetsTheProblemNamingTheLimitNotKestrelsOwn413()
    {
        await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("chunked");
        var events = Enumerable.Range(0, 800)
            .Select(i => Event(Unique.Name("big"), Unique.EventType("chunk"), customer, DateTimeOffset.UtcNow.AddMinutes(-i), new { pad = new string('x', 4000) }))
            .ToList();
        var body = Encoding.UTF8.GetBytes(ArrayBody(events));
        Assert.True(body.Length > 40 * MaxBodyBytes);

        // A client that sends the whole chunked body at once, as curl does: the server's connection buffer fills ahead of
        // the endpoint's reads, so Kestrel's own size check fires inside the endpoint's read of the body.
        var (status, contentType, text) = await PostRawChunkedAsync(portal.Address, "/api/v1/events", Batched, body);

        Assert.True(status == 413, $"Expected 413, got {status}: {text}");
        Assert.Equal(ProblemJson, contentType);
        Assert.Contains($"at most {MaxBodyBytes} bytes", text, StringComparison.Ordinal);
        Assert.Contains("\"field\":\"body\"", text, StringComparison.Ordinal);
        Assert.Equal(0, await portal.StoredEventCountAsync([.. events.Select(e => (string)e["id"]!)]));
    }

    /// <summary>POSTs <paramref name="body"/> as one chunk over a raw socket, written before any answer is read.</summary>
    private static async Task<(int Status, string? ContentType, string Body)> PostRawChunkedAsync(Uri server, string path, string contentType, byte[] body)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {DemoSettings.OperatorApiKey}\r\n" +
            $"Content-Type: {contentType}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{body.Length:x}\r\n";
        var sending = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(body);
                await stream.WriteAsync("\r\n0\r\n\r\n"u8.ToArray());
            }
            catch (IOException)
            {
                // The server answered and closed before the whole body was sent: allowed once it is too large.
            }
        });

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        await sending;
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = response[..headerEnd].Split("\r\n");
        var type = headers.FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim().Split(';')[0];
        return (status, type, response[(headerEnd + 4)..]);
    }
}
