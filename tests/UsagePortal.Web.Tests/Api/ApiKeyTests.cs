using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Web.Api;
using static UsagePortal.Web.Tests.Api.MeteringApi;

namespace UsagePortal.Web.Tests.Api;

/// <summary>Every /api/v1 endpoint needs a valid, unrevoked operator key; anything else answers 401.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class ApiKeyTests(MeteringPortal portal)
{
    private static readonly DateTimeOffset Hour = new(2026, 2, 14, 10, 0, 0, TimeSpan.Zero);

    public enum Credential
    {
        None,
        UnknownKey,
        RevokedKey,
        OtherScheme,
        EmptyBearer,
    }

    private async Task<string> CreateKeyAsync(bool revoked)
    {
        var (key, stored) = ApiKeys.Create("test key", "tests", DateTime.UtcNow);
        await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            db.ApiKeys.Add(stored);
            await db.SaveChangesAsync();
        });

        if (revoked)
        {
            // Prove the key worked before it was revoked.
            using var client = await portal.ApiClientAsync(key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/meters")).StatusCode);
            // Revoked as an admin revokes it: the key, remembered by this node since the request above, is forgotten.
            await portal.WithServicesAsync(async services => Assert.True((await services.GetRequiredService<Domain.ApiKeys.ApiKeyService>().RevokeAsync(stored.Id, "tests")).Succeeded));
        }

        return key;
    }

    private async Task<HttpClient> ClientAsync(Credential credential)
    {
        var client = await portal.AnonymousClientAsync();
        client.DefaultRequestHeaders.Authorization = credential switch
        {
            Credential.None => null,
            Credential.UnknownKey => new AuthenticationHeaderValue("Bearer", ApiKeys.Create("never stored", "tests", DateTime.UtcNow).Key),
            Credential.RevokedKey => new AuthenticationHeaderValue("Bearer", await CreateKeyAsync(revoked: true)),
            Credential.OtherScheme => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("operator:" + DemoSettings.OperatorApiKey))),
            Credential.EmptyBearer => new AuthenticationHeaderValue("Bearer"),
            _ => throw new ArgumentOutOfRangeException(nameof(credential)),
        };
        return client;
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what} answered {(int)response.StatusCode}: {text}");
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [InlineData(Credential.None)]
    [InlineData(Credential.UnknownKey)]
    [InlineData(Credential.RevokedKey)]
    [InlineData(Credential.OtherScheme)]
    [InlineData(Credential.EmptyBearer)]
    public async Task EveryApiEndpointAnswers401WithoutAValidKey(Credential credential)
    {
        using var client = await ClientAsync(credential);

        foreach (var (method, path) in ApiCatalog.KeyedEndpoints(portal.Services))
        {
            // Whatever the body: the key is checked first.
            foreach (var contentType in method is "POST" or "PUT" or "PATCH" ? new string?[] { Json, "text/plain" } : [null])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (contentType is not null)
                {
                    request.Content = Body(contentType, "{}");
                }

                using var response = await client.SendAsync(request);
                await AssertUnauthorizedAsync(response, $"{method} {path} ({contentType ?? "no body"}) with {credential}");
            }
        }
    }

    [Theory]
    [InlineData(Credential.None)]
    [InlineData(Credential.UnknownKey)]
    [InlineData(Credential.RevokedKey)]
    public async Task EventsSentWithoutAValidKeyAreNotStored(Credential credential)
    {
        var customer = await portal.CreateCustomerAsync("keys");
        var id = Unique.Name("unauthorised");
        using var client = await ClientAsync(credential);

        using var response = await client.PostEventsAsync(Structured, Event(id, "keys.call", customer, Hour).ToJsonString());

        await AssertUnauthorizedAsync(response, $"POST /api/v1/events with {credential}");
        Assert.Equal(0, await portal.StoredEventCountAsync([id]));
    }

    [Fact]
    public async Task AMeterPostedWithARevokedKeyIsNotCreated()
    {
        var code = Unique.MeterCode("revoked");
        using var client = await ClientAsync(Credential.RevokedKey);

        using var response = await client.PostMeterAsync(Meter(code, "keys.call", "count"));

        await AssertUnauthorizedAsync(response, "POST /api/v1/meters with a revoked key");
        Assert.False(await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Meters.AnyAsync(m => m.Code == code)));
    }

    [Fact]
    public async Task AValidKeyIsAcceptedAndItsLastUseIsRecorded()
    {
        var key = await CreateKeyAsync(revoked: false);
        var hash = ApiKeys.Hash(key);
        Task<DateTime?> LastUsedAsync() => portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().ApiKeys
            .Where(k => k.KeyHash == hash).Select(k => k.LastUsedAt).SingleAsync());
        Assert.Null(await LastUsedAsync());
        var before = DateTime.UtcNow.AddSeconds(-1);

        using var client = await portal.ApiClientAsync(key);
        var response = await client.GetAsync("/api/v1/meters");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(await LastUsedAsync() ?? default, before, DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task AnUnknownKeyAndARevokedKeyAnswerTheSame401()
    {
        using var unknown = await ClientAsync(Credential.UnknownKey);
        using var revoked = await ClientAsync(Credential.RevokedKey);

        using var unknownResponse = await unknown.GetAsync("/api/v1/meters");
        using var revokedResponse = await revoked.GetAsync("/api/v1/meters");

        await AssertUnauthorizedAsync(unknownResponse, "GET /api/v1/meters with an unknown key");
        await AssertUnauthorizedAsync(revokedResponse, "GET /api/v1/meters with a revoked key");
        // Nobody holding a key learns whether it ever existed.
        var unknownProblem = System.Text.Json.JsonDocument.Parse(await unknownResponse.Content.ReadAsStringAsync()).RootElement;
        var revokedProblem = System.Text.Json.JsonDocument.Parse(await revokedResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(unknownProblem.GetProperty("title").GetString(), revokedProblem.GetProperty("title").GetString());
        Assert.Equal(unknownProblem.GetProperty("detail").GetString(), revokedProblem.GetProperty("detail").GetString());
    }
}
