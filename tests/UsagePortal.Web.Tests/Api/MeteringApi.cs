using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using UsagePortal.Metering;

namespace UsagePortal.Web.Tests.Api;

/// <summary>The public API's calls as an operator's backend makes them, plus readers for the answers.</summary>
public static class MeteringApi
{
    public const string Structured = "application/cloudevents+json";
    public const string Batched = "application/cloudevents-batch+json";
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";
    public const string TestSource = "tests/ingestion";

    /// <summary>An RFC 3339 UTC timestamp, fraction only when there is one.</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>A CloudEvent as a JSON object; <paramref name="source"/> null leaves it out (plain JSON allows that).</summary>
    public static JsonObject Event(string id, string type, string subject, DateTimeOffset time, object? data = null, string? source = TestSource, bool specVersion = true)
    {
        var e = new JsonObject();
        if (specVersion)
        {
            e["specversion"] = "1.0";
        }

        e["id"] = id;
        if (source is not null)
        {
            e["source"] = source;
        }

        e["type"] = type;
        e["subject"] = subject;
        e["time"] = Rfc3339(time);
        e["data"] = data switch
        {
            null => new JsonObject(),
            JsonNode node => node,
            _ => JsonSerializer.SerializeToNode(data),
        };
        return e;
    }

    public static string ArrayBody(IEnumerable<JsonNode> events) => new JsonArray(events.Select(e => e.DeepClone()).ToArray()).ToJsonString();

    public static HttpContent Body(string contentType, string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public static Task<HttpResponseMessage> PostEventsAsync(this HttpClient client, string contentType, string body) =>
        client.PostAsync("/api/v1/events", Body(contentType, body));

    public static Task<HttpResponseMessage> PostBatchAsync(this HttpClient client, IEnumerable<JsonNode> events) =>
        client.PostEventsAsync(Batched, ArrayBody(events));

    /// <summary>Posts and expects 200 with the ingestion answer.</summary>
    public static async Task<IngestAnswer> IngestAsync(this HttpClient client, string contentType, string body)
    {
        using var response = await client.PostEventsAsync(contentType, body);
        return await ReadIngestAnswerAsync(response);
    }

    public static Task<IngestAnswer> IngestBatchAsync(this HttpClient client, IEnumerable<JsonNode> events) =>
        client.IngestAsync(Batched, ArrayBody(events));

    public static async Task<IngestAnswer> ReadIngestAnswerAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /api/v1/events answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return new IngestAnswer(root.GetProperty("accepted").GetInt32(), root.GetProperty("duplicates").GetInt32());
    }

    /// <summary>GET the usage API over [from, to) and expect 200.</summary>
    public static async Task<Usage> UsageAsync(this HttpClient client, string customer, DateTimeOffset from, DateTimeOffset to)
    {
        using var response = await client.GetAsync(UsageUrl(customer, Rfc3339(from), Rfc3339(to)));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET usage answered {(int)response.StatusCode}: {text}");
        return Usage.Parse(text);
    }

    public static string UsageUrl(string customer, string? from, string? to)
    {
        var query = new List<string>();
        if (from is not null)
        {
            query.Add($"from={Uri.EscapeDataString(from)}");
        }

        if (to is not null)
        {
            query.Add($"to={Uri.EscapeDataString(to)}");
        }

        return $"/api/v1/customers/{Uri.EscapeDataString(customer)}/usage" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    public static Task<HttpResponseMessage> PostMeterAsync(this HttpClient client, object meter) =>
        client.PostAsync("/api/v1/meters", Body(Json, JsonSerializer.Serialize(meter)));

    /// <summary>Creates a meter and expects 201 with the meter.</summary>
    public static async Task<JsonElement> CreateMeterAsync(this HttpClient client, object meter)
    {
        using var response = await client.PostMeterAsync(meter);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/meters answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A meter in the API's shape, for <see cref="PostMeterAsync"/>.</summary>
    public static Dictionary<string, object?> Meter(string code, string eventType, string aggregation, string? property = null,
        Dictionary<string, string[]>? filters = null, string[]? groupBy = null) => new()
        {
            ["code"] = code,
            ["name"] = $"Meter {code}",
            ["eventType"] = eventType,
            ["aggregation"] = aggregation,
            ["property"] = property,
            ["filters"] = filters ?? [],
            ["groupBy"] = groupBy ?? [],
        };

    /// <summary>Expects an RFC 9457 problem with <paramref name="status"/>; answers it with its errors.</summary>
    public static async Task<Problem> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        var errors = new List<ProblemError>();
        if (root.TryGetProperty("errors", out var list))
        {
            foreach (var error in list.EnumerateArray())
            {
                errors.Add(new ProblemError(
                    error.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number ? index.GetInt32() : null,
                    error.GetProperty("field").GetString()!,
                    error.GetProperty("reason").GetString()!));
            }
        }

        return new Problem(root.GetProperty("title").GetString() ?? "", root.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "", errors);
    }
}

public sealed record IngestAnswer(int Accepted, int Duplicates);

public sealed record ProblemError(int? Index, string Field, string Reason);

public sealed record Problem(string Title, string Detail, IReadOnlyList<ProblemError> Errors)
{
    /// <summary>The (index, field) of every error, for exact comparisons.</summary>
    public IReadOnlyList<(int? Index, string Field)> Fields => Errors.Select(e => (e.Index, e.Field)).ToList();
}

/// <summary>A usage answer, quantities parsed from their decimal strings.</summary>
public sealed record Usage(string Customer, DateTimeOffset From, DateTimeOffset To, IReadOnlyDictionary<string, MeterUsage> Meters)
{
    public decimal Quantity(string meter) =>
        Meters.TryGetValue(meter, out var usage) ? usage.Quantity : throw new KeyNotFoundException($"The usage answer has no meter '{meter}'; it has {string.Join(", ", Meters.Keys)}.");

    public static Usage Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var meters = new Dictionary<string, MeterUsage>(StringComparer.Ordinal);
        foreach (var meter in root.GetProperty("meters").EnumerateArray())
        {
            var groups = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var group in meter.GetProperty("groups").EnumerateArray())
            {
                var key = group.GetProperty("key").EnumerateObject()
                    .Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetString()));
                groups.Add(GroupKey.Format(key), Decimal(group.GetProperty("quantity")));
            }

            meters.Add(meter.GetProperty("meter").GetString()!, new MeterUsage(Decimal(meter.GetProperty("quantity")), groups));
        }

        return new Usage(root.GetProperty("customer").GetString()!, root.GetProperty("from").GetDateTimeOffset(), root.GetProperty("to").GetDateTimeOffset(), meters);
    }

    /// <summary>Quantities are decimal strings; a number here would be a bug (clients would parse it as a float).</summary>
    private static decimal Decimal(JsonElement value)
    {
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        return decimal.Parse(value.GetString()!, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }
}

/// <summary>One meter's total, and its quantity per canonical group key (see <see cref="GroupKey"/>).</summary>
public sealed record MeterUsage(decimal Quantity, IReadOnlyDictionary<string, decimal> Groups);
