using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UsagePortal.Testing;

/// <summary>One request the listener received: its headers of interest and the raw body.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string ContentType, string Body);

/// <summary>
/// A real HTTP endpoint on a loopback port, as an operator's webhook receiver: it records every POST to <c>/hook</c>
/// and answers 200, or 500 while <see cref="FailuresLeft"/> is above zero.
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private int failuresLeft;

    private WebhookListener(WebApplication app) => this.app = app;

    /// <summary>The address to configure: <c>http://127.0.0.1:port/hook</c>.</summary>
    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    /// <summary>How many of the next requests answer 500.</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref failuresLeft);
        set => Volatile.Write(ref failuresLeft, value);
    }

    public static async Task<WebhookListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var started = new WebhookListener(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;
            started.received.Enqueue(new ReceivedWebhook(headers["UsagePortal-Webhook-Id"], headers["UsagePortal-Webhook-Timestamp"], headers["UsagePortal-Webhook-Signature"],
                context.Request.ContentType ?? "", body));
            if (Interlocked.Decrement(ref started.failuresLeft) >= 0)
            {
                return Results.StatusCode(500);
            }

            Interlocked.Exchange(ref started.failuresLeft, 0);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        started.Url = address.TrimEnd('/') + "/hook";
        return started;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
