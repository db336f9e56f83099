using System.Text;

namespace UsagePortal.Metering.Tests;

/// <summary>Builds requests for the reader with a fixed moment of receipt.</summary>
internal static class Requests
{
    public static readonly DateTimeOffset ReceivedAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string Structured = "application/cloudevents+json";
    public const string Batched = "application/cloudevents-batch+json";
    public const string Json = "application/json";

    public static EventBatch Read(string? contentType, string body, EventReaderOptions? options = null) =>
        EventBatchReader.Read(contentType, [], Encoding.UTF8.GetBytes(body), ReceivedAt, options);

    public static EventBatch ReadBinary(string? contentType, string body, params (string Name, string Value)[] headers) =>
        EventBatchReader.Read(
            contentType,
            headers.Select(h => KeyValuePair.Create(h.Name, h.Value)),
            Encoding.UTF8.GetBytes(body),
            ReceivedAt);

    /// <summary>A valid CloudEvent as JSON, with some attributes replaced or removed (null removes).</summary>
    public static string Event(
        string? id = "evt-1",
        string? source = "billing-test",
        string? type = "api.call",
        string? subject = "cust-42",
        string? time = "2025-03-01T11:00:00Z",
        string? data = """{"tokens":5}""",
        string? specversion = "1.0")
    {
        var members = new List<string>();
        Add("specversion", specversion);
        Add("id", id);
        Add("source", source);
        Add("type", type);
        Add("subject", subject);
        Add("time", time);
        if (data is not null)
        {
            members.Add($"\"data\":{data}");
        }

        return "{" + string.Join(",", members) + "}";

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                members.Add($"\"{name}\":\"{value}\"");
            }
        }
    }

    public static string Array(params string[] events) => "[" + string.Join(",", events) + "]";

    public static (int? Index, string Field)[] Locations(this EventBatch batch) =>
        batch.Errors.Select(e => (e.Index, e.Field)).ToArray();
}
