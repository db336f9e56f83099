using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.ApiKeys;
using UsagePortal.Web.Tests.Billing;
using UsagePortal.Web.Tests.Hosting;

namespace UsagePortal.Web.Tests.Api;

/// <summary>
/// Two nodes on one PostgreSQL database each remember the keys they have checked: a key revoked on one is refused by the
/// other within a second, though the other had just accepted it.
/// </summary>
public sealed class ApiKeyTwoNodeTests(PostgresBillingPortal nodeA) : IClassFixture<PostgresBillingPortal>, IAsyncLifetime
{
    private SecondNode nodeB = null!;

    public Task InitializeAsync()
    {
        _ = nodeA.Services; // node A migrates the database first
        nodeB = new SecondNode(nodeA);
        _ = nodeB.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await nodeB.DisposeAsync();

    [Fact]
    public async Task AKeyRevokedOnOneNodeIsRefusedByTheOtherWithinASecond()
    {
        var created = await nodeA.WithServicesAsync(services => services.GetRequiredService<ApiKeyService>().CreateAsync(Unique.Name("key"), "tests"));
        var (key, id) = (created.Value!.Key, created.Value.Stored.Id);
        var other = await nodeA.WithServicesAsync(services => services.GetRequiredService<ApiKeyService>().CreateAsync(Unique.Name("other"), "tests"));
        using var apiB = nodeB.CreateClient();
        apiB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var otherB = nodeB.CreateClient();
        otherB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", other.Value!.Key);

        // Node B accepts both keys, and keeps them.
        Assert.Equal(HttpStatusCode.OK, (await apiB.GetAsync("/api/v1/meters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherB.GetAsync("/api/v1/meters")).StatusCode);
        Assert.True(nodeB.Services.GetRequiredService<ApiKeyCache>().TryGet(ApiKeyService.Hash(key), DateTime.UtcNow, out _));

        var revoked = await nodeA.WithServicesAsync(services => services.GetRequiredService<ApiKeyService>().RevokeAsync(id, "tests"));
        Assert.True(revoked.Succeeded);
        var timer = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await apiB.GetAsync("/api/v1/meters")).StatusCode;
        }
        while (status == HttpStatusCode.OK && timer.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(1), $"node B refused the revoked key after {timer.Elapsed.TotalMilliseconds:F0} ms");
        // The other key, forgotten with it, is read again and still works.
        Assert.Equal(HttpStatusCode.OK, (await otherB.GetAsync("/api/v1/meters")).StatusCode);
    }
}
