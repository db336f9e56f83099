using System.Globalization;
using System.Text;

namespace UsagePortal.Benchmarks;

/// <summary>Deterministic usage events for the benchmark's customers, already serialized as request bodies.</summary>
internal sealed class EventGenerator(string prefix, int customers, DateTime from, DateTime to, int seed)
{
    private readonly Random random = new(seed);
    private long next;

    public static string CustomerId(int index) => $"bench-{index:D4}";

    /// <summary>One batch as a plain JSON array (the body of POST /api/v1/events), and the rows for the raw insert.</summary>
    public (byte[] Body, List<RawRow> Rows) Batch(int size)
    {
        var json = new StringBuilder(size * 190).Append('[');
        var rows = new List<RawRow>(size);
        var span = (to - from).Ticks;
        for (var i = 0; i < size; i++)
        {
            var id = $"{prefix}{next++}";
            var customer = CustomerId(random.Next(customers));
            var time = new DateTime(from.Ticks + (long)(random.NextDouble() * span), DateTimeKind.Utc);
            var stamp = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
            string type, data;
            if (random.Next(4) == 0)
            {
                type = "llm.completion";
                data = string.Create(CultureInfo.InvariantCulture, $$"""{"model":"{{(random.Next(3) == 0 ? "large" : "small")}}","tokens":{{random.Next(100, 4000)}}}""");
            }
            else
            {
                type = "api.request";
                data = string.Create(CultureInfo.InvariantCulture, $$"""{"region":"{{(random.Next(3) == 0 ? "us-east" : "eu-west")}}","user_id":"user-{{random.Next(25)}}"}""");
            }

            if (i > 0)
            {
                json.Append(',');
            }

            json.Append($$"""{"id":"{{id}}","source":"bench","type":"{{type}}","subject":"{{customer}}","time":"{{stamp}}","data":{{data}}}""");
            rows.Add(new RawRow(id, type, customer, time, data));
        }

        json.Append(']');
        return (Encoding.UTF8.GetBytes(json.ToString()), rows);
    }
}

internal sealed record RawRow(string EventId, string Type, string Customer, DateTime Time, string Data);
