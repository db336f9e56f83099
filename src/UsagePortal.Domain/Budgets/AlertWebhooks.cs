using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Outbox;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Budgets;

/// <summary>
/// Delivers alert webhooks from the outbox: a POST of the stored body, signed at each attempt with the customer's current
/// secret (<see cref="WebhookSignature"/>). Anything but a 2xx answer within ten seconds is a failure the outbox retries
/// with backoff; the id header is the same on every attempt, so receivers drop a repeat.
/// </summary>
internal sealed class AlertWebhooks(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider clock) : IOutboxHandler, IDisposable
{
    public const string Kind = "webhook";

    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    string IOutboxHandler.Kind => Kind;

    public async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = JsonSerializer.Deserialize<WebhookPayload>(message.Payload)
            ?? throw new InvalidOperationException($"Outbox message {message.Id} has no webhook payload.");
        string? protectedSecret;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<UsagePortalDbContext>();
            protectedSecret = await db.Budgets.AsNoTracking().Where(b => b.CustomerId == payload.CustomerId).Select(b => b.WebhookSecret).SingleOrDefaultAsync(cancellationToken);
        }

        if (protectedSecret is null)
        {
            throw new InvalidOperationException("No signing secret: create one on the budget page; the webhook is retried.");
        }

        var secret = protection.CreateProtector(BudgetService.SecretPurpose).Unprotect(protectedSecret);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, payload.Url)
        {
            Content = new StringContent(payload.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.IdHeader, message.Id.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, payload.Body));
        request.Headers.UserAgent.ParseAdd("UsagePortal-Webhooks/1");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }

    public void Dispose() => http.Dispose();
}
