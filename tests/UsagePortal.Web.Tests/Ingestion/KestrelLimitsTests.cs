using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

        protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
            [new("Ingestion:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitGetsTheProblemNamingTheLimitNotKestrelsOwn413()
    {
        using var api = await portal.ApiClientAsync();
        var customer = await portal.CreateCustomerAsync("chunked");
        var events = Enumerable.Range(0, 800)
            .Select(i => Event(Unique.Name("big"), Unique.EventType("chunk"), customer, DateTimeOffset.UtcNow.AddMinutes(-i), new { pad = new string('x', 4000) }))
            .ToList();
        var bytes = Encoding.UTF8.GetBytes(ArrayBody(events));
        Assert.True(bytes.Length > 2 * MaxBodyBytes);
        using var content = new ChunkedContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(Batched);

        // As curl sends a large body: Expect: 100-continue, so the body streams in at full speed once the endpoint reads.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = content };
        request.Headers.ExpectContinue = true;
        using var response = await api.SendAsync(request);

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"at most {MaxBodyBytes} bytes", problem.Detail, StringComparison.Ordinal);
        Assert.Equal("body", Assert.Single(problem.Errors).Field);
        Assert.Equal(0, await portal.StoredEventCountAsync([.. events.Select(e => (string)e["id"]!)]));
    }

    /// <summary>Sent with Transfer-Encoding: chunked (no Content-Length), as a streaming client does.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            // One write: the bytes reach the server faster than the endpoint reads them, as from a fast client.
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
