using System.Net;
using System.Text;

namespace UsagePortal.Web.Tests.Tenancy;

/// <summary>The events behind an amount as CSV: the signed-in organisation's own events only, whatever the address says.</summary>
public sealed class EventsCsvTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly string Address =
        $"/app/usage/events.csv?meter=api_calls&from={Uri.EscapeDataString(DateTime.UtcNow.AddDays(-40).ToString("yyyy-MM-ddTHH:mm:ssZ"))}&to={Uri.EscapeDataString(DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ"))}";

    [Fact]
    public async Task EachOrganisationDownloadsItsOwnEventsAndSignedOutVisitorsSignIn()
    {
        using var acme = portal.CreatePortalClient();
        await acme.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);
        using var globex = portal.CreatePortalClient();
        await globex.SignInAsync(DemoSettings.OtherOwnerEmail, DemoSettings.CustomerPassword);

        var own = await RowsAsync(acme, Address);
        Assert.Equal("time,event_id,source,meter,group,value", own[0]);
        Assert.True(own.Count > 100, $"{own.Count} rows");
        Assert.All(own.Skip(1), row => Assert.StartsWith(DemoSettings.CustomerExternalId + "-", row.Split(',')[1], StringComparison.Ordinal));
        var times = own.Skip(1).Select(r => r.Split(',')[0]).ToList();
        Assert.Equal(times.OrderDescending(StringComparer.Ordinal), times);

        var theirs = await RowsAsync(globex, Address);
        Assert.DoesNotContain(theirs.Skip(1), row => row.Split(',')[1].StartsWith(DemoSettings.CustomerExternalId + "-", StringComparison.Ordinal));

        using var anonymous = portal.CreatePortalClient();
        var signedOut = await anonymous.GetAsync(Address);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await acme.GetAsync("/app/usage/events.csv?meter=api_calls")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync(Address.Replace("api_calls", "no_such_meter", StringComparison.Ordinal))).StatusCode);
    }

    private static async Task<List<string>> RowsAsync(PortalClient client, string address)
    {
        var response = await client.GetAsync(address);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        return [.. Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];
    }
}
