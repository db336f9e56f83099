using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace UsagePortal.Web.Tests.Identity;

/// <summary>
/// Sign-in posts are throttled per client address (Security:SignInAttemptsPerMinute), so nobody can try passwords
/// quickly or lock many accounts from one machine; other clients keep signing in. On a real socket, with clients
/// connecting from two loopback addresses (127.0.0.1 and 127.0.0.2).
/// </summary>
public sealed class SignInThrottlingTests(SignInThrottlingTests.ThrottledPortal portal) : IClassFixture<SignInThrottlingTests.ThrottledPortal>
{
    [Fact]
    public async Task OneSignInPostTooManyFromOneClientAnswers429WhileAnotherClientStillSignsIn()
    {
        using var first = portal.ClientFrom(IPAddress.Parse("127.0.0.1"));
        using var second = portal.ClientFrom(IPAddress.Parse("127.0.0.2"));

        for (var attempt = 1; attempt <= ThrottledPortal.Limit; attempt++)
        {
            var allowed = await SubmitLoginAsync(first, "nobody-throttle@acme.example", $"wrong-{attempt}");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var refused = await SubmitLoginAsync(first, "nobody-throttle@acme.example", "wrong-again");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("Too many sign-in attempts", PortalClient.Text(await refused.Content.ReadAsStringAsync()));

        // Another client is not affected, and reading pages is not throttled for the first one.
        await second.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/app")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/Account/Login")).StatusCode);
    }

    private static Task<HttpResponseMessage> SubmitLoginAsync(PortalClient client, string email, string password) =>
        client.SubmitFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    /// <summary>The portal on Kestrel, with a low sign-in limit.</summary>
    public sealed class ThrottledPortal : PortalFactory
    {
        public const int Limit = 3;

        public ThrottledPortal() => UseKestrel(0);

        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Security:SignInAttemptsPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))];

        /// <summary>A browser-like client whose connections come from <paramref name="source"/>.</summary>
        public PortalClient ClientFrom(IPAddress source)
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).First(a => a.Port > 0);
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = true,
                CookieContainer = new CookieContainer(),
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        socket.Bind(new IPEndPoint(source, 0));
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            return new PortalClient(new HttpClient(handler) { BaseAddress = address });
        }
    }
}
