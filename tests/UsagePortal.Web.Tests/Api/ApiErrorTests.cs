using System.Net;

namespace UsagePortal.Web.Tests.Api;

/// <summary>Errors the framework answers (unknown path, wrong method) are problem documents under /api too, never HTML pages.</summary>
[Collection(MeteringApiCollection.Name)]
public sealed class ApiErrorTests(MeteringPortal portal)
{
    [Fact]
    public async Task AnUnknownApiPathAnswersAProblemDocument()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.GetAsync("/api/v1/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(MeteringApi.ProblemJson, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AWrongMethodAnswersAProblemDocument()
    {
        using var client = await portal.ApiClientAsync();

        using var response = await client.GetAsync("/api/v1/events");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(MeteringApi.ProblemJson, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PagesStillAnswerWithTheNotFoundPage()
    {
        using var client = portal.CreatePortalClient();

        var response = await client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("There is nothing at this address.", PortalClient.Text(await response.Content.ReadAsStringAsync()));
    }
}
