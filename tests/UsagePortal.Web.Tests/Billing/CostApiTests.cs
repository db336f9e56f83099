using System.Net;
using System.Text.Json;
using UsagePortal.Web.Tests.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.CostFixtures;

namespace UsagePortal.Web.Tests.Billing;

/// <summary>
/// The usage API over the current period, on a host whose clock stands at noon on Wednesday 11 March 2026: amounts so
/// far and the projection, to the cent (the numbers are worked out in <see cref="CostQueryTests"/>).
/// </summary>
[Collection(FrozenClockCollection.Name)]
public sealed class CostApiTests(FrozenClockPortal portal) : IAsyncLifetime
{
    private HttpClient api = null!;

    public async Task InitializeAsync() => api = await portal.ApiClientAsync();

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task WithoutARangeTheAnswerIsTheCurrentPeriodSoFarWithItsProjection()
    {
        var (customer, calls, storage) = await TieredCustomerAsync();

        var answer = await UsageJsonAsync(customer, null, null);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), answer.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), answer.GetProperty("to").GetDateTimeOffset());
        Assert.Equal("10.25", MeterOf(answer, calls).GetProperty("amount").GetString());
        Assert.Equal("30.00", MeterOf(answer, storage).GetProperty("amount").GetString());
        Assert.Equal("50.25", answer.GetProperty("total").GetString());
        var projection = answer.GetProperty("projection");
        Assert.Equal(("60.50", "59.43", "61.57"), (projection.GetProperty("total").GetString(), projection.GetProperty("low").GetString(), projection.GetProperty("high").GetString()));
    }

    [Fact]
    public async Task TheCurrentPeriodGivenExplicitlyHasItsProjectionToo()
    {
        var (customer, _, _) = await TieredCustomerAsync();

        var answer = await UsageJsonAsync(customer, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

        Assert.Equal("50.25", answer.GetProperty("total").GetString());
        Assert.Equal("60.50", answer.GetProperty("projection").GetProperty("total").GetString());
    }

    [Fact]
    public async Task PartOfTheCurrentPeriodHasAmountsButNoProjection()
    {
        var (customer, calls, _) = await TieredCustomerAsync();

        var answer = await UsageJsonAsync(customer, "2026-03-01T00:00:00Z", "2026-03-11T00:00:00Z");

        Assert.Equal("10.00", MeterOf(answer, calls).GetProperty("amount").GetString());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("projection").ValueKind);
    }

    [Fact]
    public async Task ACustomerWithoutAPlanHasTheCalendarMonthAndNoAmounts()
    {
        var customer = await portal.CreateCustomerAsync("noplan");

        var answer = await UsageJsonAsync(customer, null, null);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), answer.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("total").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("projection").ValueKind);
    }

    private async Task<(string Customer, string Calls, string Storage)> TieredCustomerAsync()
    {
        var tiered = await CostQueryTests.TieredCustomerAsync(portal, api);
        return (tiered.ExternalId, tiered.Calls, tiered.Storage);
    }

    private async Task<JsonElement> UsageJsonAsync(string externalId, string? from, string? to)
    {
        using var response = await api.GetAsync(UsageUrl(externalId, from, to));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET usage answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static JsonElement MeterOf(JsonElement answer, string meter) =>
        Assert.Single(answer.GetProperty("meters").EnumerateArray(), m => m.GetProperty("meter").GetString() == meter);
}
