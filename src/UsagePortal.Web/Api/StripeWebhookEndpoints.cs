using UsagePortal.Domain.Payments;

namespace UsagePortal.Web.Api;

/// <summary>
/// <c>POST /api/v1/webhooks/stripe</c>: outside the operator-key group, since Stripe signs its requests instead
/// (<c>Stripe-Signature</c>, checked by <see cref="StripeWebhooks"/>). The raw body is read as sent: the signature is
/// over its exact bytes.
/// </summary>
public static class StripeWebhookEndpoints
{
    public const string Path = "/api/v1/webhooks/stripe";

    /// <summary>Stripe's events are at most a few kilobytes; anything far larger is not one.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapStripeWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("v1")
            .WithName("ReceiveStripeWebhook")
            .WithSummary("Stripe's webhook: invoice.paid, invoice.payment_failed, invoice.voided and invoice.marked_uncollectible are applied to the invoice they name; other events are stored and ignored.")
            .WithDescription("Authenticated by the Stripe-Signature header (HMAC-SHA256 with the endpoint's signing secret, five minutes' tolerance), not by an operator key. A bad signature answers 400 and stores nothing; a replayed event answers 200 and changes nothing.");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpRequest request, StripeWebhooks webhooks, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"A Stripe event is at most {MaxBodyBytes} bytes.");
        }

        using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
        var json = await reader.ReadToEndAsync(cancellationToken);
        var outcome = await webhooks.ReceiveAsync(json, request.Headers["Stripe-Signature"].ToString(), cancellationToken);
        return outcome.Status == StatusCodes.Status200OK
            ? TypedResults.Ok(new { received = true, outcome = outcome.Message })
            : Problems.Create(outcome.Status, outcome.Status == StatusCodes.Status404NotFound ? "Not found" : "Bad request", outcome.Message);
    }
}
