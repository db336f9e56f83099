using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UsagePortal.Testing;

/// <summary>
/// A local stand-in for Stripe's API on a real socket, speaking its wire format: form-encoded POSTs with a bearer secret
/// key, Stripe's JSON objects (<c>customer</c>, <c>invoice</c>, <c>invoiceitem</c>, <c>billing_portal.session</c>) and
/// its error JSON. It keeps idempotency keys as Stripe does (a repeated key answers the first answer again, with no
/// effect), records every request it received, and fails requests on demand (a status, and
/// <c>Stripe-Should-Retry</c>). Only what the app uses is served: customers, invoices (create, retrieve, finalize,
/// pay, void), invoice items and billing-portal sessions.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_usageportal_fake";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly Dictionary<string, (int Status, string Body)> idempotent = [];
    private readonly Dictionary<string, JsonObject> invoices = [];
    private readonly ConcurrentQueue<StripeRequest> received = new();
    private readonly List<(string PathPrefix, int Status, bool? ShouldRetry, string Type)> faults = [];
    private int sequence;

    private FakeStripe(WebApplication app)
    {
        this.app = app;
    }

    /// <summary>Where the fake answers, for <c>Payments:Stripe:ApiBase</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Every request in the order received, replays of an idempotency key included (marked).</summary>
    public IReadOnlyList<StripeRequest> Received => [.. received];

    /// <summary>Declines the next payments of invoices (<c>/pay</c> answers 402 <c>card_error</c>).</summary>
    public bool DeclinePayments { get; set; }

    public static async Task<FakeStripe> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeStripe(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    /// <summary>The next request whose path starts with <paramref name="pathPrefix"/> answers <paramref name="status"/> (once).</summary>
    public void FailNext(string pathPrefix, int status, bool? shouldRetry = null, string type = "api_error")
    {
        lock (gate)
        {
            faults.Add((pathPrefix, status, shouldRetry, type));
        }
    }

    /// <summary>The invoice as the fake holds it (Stripe's JSON).</summary>
    public JsonObject Invoice(string id)
    {
        lock (gate)
        {
            return (JsonObject)invoices[id].DeepClone();
        }
    }

    public IReadOnlyList<string> InvoiceIds
    {
        get
        {
            lock (gate)
            {
                return [.. invoices.Keys];
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var form = request.HasFormContentType ? (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal) : [];
        var key = request.Headers["Idempotency-Key"].ToString();
        var path = request.Path.Value ?? "";
        int status;
        string body;
        var replayed = false;
        lock (gate)
        {
            if (request.Method == "POST" && key.Length > 0 && idempotent.TryGetValue(key, out var first))
            {
                (status, body, replayed) = (first.Status, first.Body, true);
            }
            else if (request.Headers.Authorization.ToString() != $"Bearer {SecretKey}")
            {
                (status, body) = (401, Error("invalid_request_error", "Invalid API Key provided."));
            }
            else if (faults.FindIndex(f => path.StartsWith(f.PathPrefix, StringComparison.Ordinal)) is var index and >= 0)
            {
                var fault = faults[index];
                faults.RemoveAt(index);
                (status, body) = (fault.Status, Error(fault.Type, $"Injected {fault.Status}."));
                if (fault.ShouldRetry is { } retry)
                {
                    context.Response.Headers["Stripe-Should-Retry"] = retry ? "true" : "false";
                }
            }
            else
            {
                (status, body) = Handle(request.Method, path, form);
                // Stripe keeps the answer of a key, errors included, except for answers that ask to be retried.
                if (request.Method == "POST" && key.Length > 0 && status < 500 && status != 429)
                {
                    idempotent[key] = (status, body);
                }
            }
        }

        received.Enqueue(new StripeRequest(request.Method, path, form, key.Length > 0 ? key : null, request.Headers["Stripe-Version"].ToString(), replayed));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["Request-Id"] = $"req_{Interlocked.Increment(ref sequence)}";
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        await context.Response.WriteAsync(body);
    }

    private (int Status, string Body) Handle(string method, string path, Dictionary<string, string> form)
    {
        var segments = path.Trim('/').Split('/');
        switch (method, segments)
        {
            case ("POST", ["v1", "customers"]):
                return Ok(new JsonObject
                {
                    ["id"] = $"cus_{Next()}", ["object"] = "customer", ["name"] = form.GetValueOrDefault("name"), ["email"] = form.GetValueOrDefault("email"),
                    ["metadata"] = Metadata(form), ["livemode"] = false,
                });
            case ("POST", ["v1", "invoices"]):
                var invoice = new JsonObject
                {
                    ["id"] = $"in_{Next()}", ["object"] = "invoice", ["customer"] = form.GetValueOrDefault("customer"), ["currency"] = form.GetValueOrDefault("currency"),
                    ["collection_method"] = form.GetValueOrDefault("collection_method"), ["status"] = "draft", ["total"] = 0L, ["subtotal"] = 0L, ["amount_due"] = 0L,
                    ["amount_paid"] = 0L, ["hosted_invoice_url"] = null, ["metadata"] = Metadata(form), ["livemode"] = false,
                };
                invoices[(string)invoice["id"]!] = invoice;
                return Ok(invoice);
            case ("POST", ["v1", "invoiceitems"]):
                if (!invoices.TryGetValue(form.GetValueOrDefault("invoice") ?? "", out var target))
                {
                    return (404, Error("invalid_request_error", "No such invoice.", "invoice"));
                }

                if ((string?)target["status"] != "draft")
                {
                    return (400, Error("invalid_request_error", "Invoice items can only be added to draft invoices.", "invoice"));
                }

                var amount = long.Parse(form["amount"], CultureInfo.InvariantCulture);
                target["total"] = (long)target["total"]! + amount;
                target["subtotal"] = (long)target["subtotal"]! + amount;
                target["amount_due"] = Math.Max(0, (long)target["total"]!);
                return Ok(new JsonObject
                {
                    ["id"] = $"ii_{Next()}", ["object"] = "invoiceitem", ["amount"] = amount, ["currency"] = form.GetValueOrDefault("currency"),
                    ["customer"] = form.GetValueOrDefault("customer"), ["invoice"] = target["id"]!.DeepClone(), ["description"] = form.GetValueOrDefault("description"),
                });
            case ("GET", ["v1", "invoices", var id]):
                return invoices.TryGetValue(id, out var found) ? Ok(found) : (404, Error("invalid_request_error", $"No such invoice: '{id}'", "id"));
            case ("POST", ["v1", "invoices", var id, "finalize"]):
                if (!invoices.TryGetValue(id, out var finalize))
                {
                    return (404, Error("invalid_request_error", $"No such invoice: '{id}'", "id"));
                }

                finalize["status"] = (long)finalize["total"]! <= 0 ? "paid" : "open";
                finalize["hosted_invoice_url"] = $"https://invoice.stripe.test/i/{id}";
                return Ok(finalize);
            case ("POST", ["v1", "invoices", var id, "pay"]):
                if (!invoices.TryGetValue(id, out var pay))
                {
                    return (404, Error("invalid_request_error", $"No such invoice: '{id}'", "id"));
                }

                if (DeclinePayments)
                {
                    pay["attempted"] = true;
                    return (402, Error("card_error", "Your card was declined.", code: "card_declined"));
                }

                pay["status"] = "paid";
                pay["amount_paid"] = pay["total"]!.DeepClone();
                pay["amount_due"] = 0L;
                return Ok(pay);
            case ("POST", ["v1", "invoices", var id, "void"]):
                if (!invoices.TryGetValue(id, out var voiding))
                {
                    return (404, Error("invalid_request_error", $"No such invoice: '{id}'", "id"));
                }

                if ((string?)voiding["status"] is not ("open" or "uncollectible"))
                {
                    return (400, Error("invalid_request_error", $"You can only void an open or uncollectible invoice; this one is {(string?)voiding["status"]}.", code: "invoice_not_open"));
                }

                voiding["status"] = "void";
                return Ok(voiding);
            case ("POST", ["v1", "billing_portal", "sessions"]):
                return Ok(new JsonObject
                {
                    ["id"] = $"bps_{Next()}", ["object"] = "billing_portal.session", ["customer"] = form.GetValueOrDefault("customer"),
                    ["return_url"] = form.GetValueOrDefault("return_url"), ["url"] = $"https://billing.stripe.test/p/session/{Next()}",
                });
            default:
                return (404, Error("invalid_request_error", $"Unrecognized request URL ({method}: {path})."));
        }
    }

    private string Next() => Interlocked.Increment(ref sequence).ToString("D6", CultureInfo.InvariantCulture);

    private static JsonObject Metadata(Dictionary<string, string> form)
    {
        var metadata = new JsonObject();
        foreach (var (name, value) in form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']')))
        {
            metadata[name["metadata[".Length..^1]] = value;
        }

        return metadata;
    }

    private static (int, string) Ok(JsonObject value) => (200, value.ToJsonString());

    private static string Error(string type, string message, string? param = null, string? code = null) =>
        new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["message"] = message, ["param"] = param, ["code"] = code } }.ToJsonString();

    /// <summary>
    /// An event as Stripe sends it to a webhook endpoint, about <paramref name="invoice"/>, signed with
    /// <paramref name="secret"/> at <paramref name="signedAt"/>: the body and its <c>Stripe-Signature</c> header.
    /// </summary>
    public static (string Body, string Signature) Event(string id, string type, JsonObject invoice, string secret, DateTimeOffset signedAt, string apiVersion = "2026-10-28.endive")
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var body = new JsonObject
        {
            ["id"] = id, ["object"] = "event", ["api_version"] = apiVersion, ["created"] = signedAt.ToUnixTimeSeconds(), ["livemode"] = false, ["pending_webhooks"] = 1,
            ["type"] = type, ["data"] = new JsonObject { ["object"] = invoice.DeepClone() },
        }.ToJsonString();
        return (body, Stripe.EventUtility.GenerateSignatureHeader(body, secret, signedAt.ToUnixTimeSeconds()));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>One request the fake received: its form fields as sent, and whether it replayed an idempotency key.</summary>
public sealed record StripeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Form, string? IdempotencyKey, string StripeVersion, bool Replayed);
