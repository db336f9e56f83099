using System.Globalization;
using System.Text;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Documents;

/// <summary>
/// The events behind an amount as CSV, what the events page shows for the same meter, group and range, all of it (newest
/// first), for the signed-in user's own organisation only: the address names the meter, the group and the range, never
/// the organisation.
/// </summary>
public static class EventsCsvEndpoints
{
    /// <summary>The most rows one download carries; a range with more says so in its last row.</summary>
    public const int MaxRows = 1_000_000;

    public static IEndpointRouteBuilder MapEventsCsv(this IEndpointRouteBuilder app)
    {
        app.MapGet("/app/usage/events.csv", WriteAsync)
            .RequireAuthorization(policy => policy.RequireRole(Roles.CustomerOwner, Roles.CustomerMember));
        return app;
    }

    private static async Task<IResult> WriteAsync(string? meter, string? group, string? from, string? to, HttpContext http, CountedEventsQuery query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(meter) || Parse(from) is not { } start || Parse(to) is not { } end || end <= start)
        {
            return Results.BadRequest("Name a meter and a range: ?meter=…&from=…&to=… (RFC 3339).");
        }

        var customerId = http.User.RequireCustomerId();
        var groupKey = string.IsNullOrEmpty(group) ? null : group;
        var first = await query.PageAsync(customerId, meter, groupKey, start, end, null, CountedEventsQuery.MaxPageSize, cancellationToken);
        if (first is null)
        {
            return Results.NotFound();
        }

        return Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var row = new StringBuilder();
            InvoiceCsv.Row(row, "time", "event_id", "source", "meter", "group", "value");
            var written = 0;
            for (var page = first; ; )
            {
                foreach (var e in page.Events)
                {
                    InvoiceCsv.Row(row, e.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture), e.EventId, e.Source, meter, e.GroupKey,
                        e.Value is { } value ? value.ToString(CultureInfo.InvariantCulture) : e.UniqueValue ?? "1");
                    written++;
                }

                await writer.WriteAsync(row, cancellationToken);
                row.Clear();
                if (page.Next is not { } next)
                {
                    break;
                }

                if (written >= MaxRows)
                {
                    InvoiceCsv.Row(row, $"# stopped at {MaxRows:N0} rows: download a shorter range for the rest");
                    await writer.WriteAsync(row, cancellationToken);
                    break;
                }

                page = (await query.PageAsync(customerId, meter, groupKey, start, end, next, CountedEventsQuery.MaxPageSize, cancellationToken))!;
            }
        }, "text/csv; charset=utf-8", $"events-{meter}-{start:yyyyMMdd}-{end:yyyyMMdd}.csv");
    }

    private static DateTime? Parse(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed.UtcDateTime : null;
}
