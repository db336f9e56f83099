using System.Buffers;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using UsagePortal.Domain;
using UsagePortal.Domain.Ingestion;
using UsagePortal.Metering;

namespace UsagePortal.Web.Api;

public static class EventsEndpoints
{
    public static RouteGroupBuilder MapEventsEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/events", IngestAsync)
            .WithName("IngestEvents")
            .WithSummary("Send usage events (CloudEvents 1.0: structured, batched or binary mode; or plain JSON).")
            // The content types are documented here, not declared with Accepts(): routing would then answer any other
            // content type itself (a bare 415, which the status-code pages turn into the not-found page's 400), before
            // the API key check and without this endpoint's problem document.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/cloudevents+json"] = new(),
                        ["application/cloudevents-batch+json"] = new(),
                        ["application/json"] = new(),
                    },
                };
                return Task.CompletedTask;
            })
            .Produces<IngestAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    public sealed record IngestAnswer(int Accepted, int Duplicates);

    private static async Task<IResult> IngestAsync(HttpContext http, IngestionService ingestion, TimeProvider clock, IOptions<IngestionOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (http.Request.ContentLength > limits.MaxBodyBytes)
        {
            return TooLarge(limits);
        }

        // The server's own body limit must not cut in before ours, which names the limit.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxBodyBytes + 1L;
        }

        // A batch of 1,000 events is a few hundred kilobytes: an array that size would be a new large object per request
        // (collected only with generation 2), so the body goes into one rented from a pool and given back.
        using var buffer = new PooledBody(http.Request.ContentLength is > 0 and var length ? (int)length + 1 : 64 * 1024);
        try
        {
            if (!await TryReadBodyAsync(http.Request.Body, buffer, limits.MaxBodyBytes, cancellationToken))
            {
                return TooLarge(limits);
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body has no length to check first: the server stops it once it passes the limit set above.
            return TooLarge(limits);
        }

        var headers = http.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));
        var batch = EventBatchReader.Read(http.Request.ContentType, headers, buffer.Written, clock.GetUtcNow(),
            EventReaderOptions.Default with { MaxEventsPerBatch = limits.MaxEventsPerBatch, MaxEventAge = limits.MaxEventAge });
        var errors = batch.Errors.Select(e => new FieldError(e.Field, e.Reason, e.Index)).ToList();
        switch (batch.Status)
        {
            case EventBatchStatus.UnsupportedContentType:
                return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", errors.FirstOrDefault()?.Reason ?? "Unsupported content type.", errors);
            case EventBatchStatus.TooManyEvents:
                return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too many events", $"A batch holds at most {limits.MaxEventsPerBatch} events.", errors);
            case EventBatchStatus.InvalidBody:
                return Problems.Validation("The body could not be read; nothing was stored.", errors);
            case EventBatchStatus.InvalidEvents:
                return Problems.Validation($"Events not valid: {errors.Select(e => e.Index).Distinct().Count()}; nothing was stored.", errors);
        }

        var (customers, unknown) = await ingestion.ResolveCustomersAsync(batch.Events, cancellationToken);
        var unusable = await ingestion.CheckValuesAsync(batch.Events, cancellationToken);
        if (unknown.Count > 0 || unusable.Count > 0)
        {
            List<FieldError> all = [.. unknown.Concat(unusable).OrderBy(e => e.Index)];
            var detail = unusable.Count == 0
                ? $"Events for an unknown customer: {unknown.Count}; nothing was stored."
                : $"Events not valid: {all.Select(e => e.Index).Distinct().Count()}; nothing was stored.";
            return Problems.Validation(detail, all);
        }

        var result = await ingestion.IngestAsync(batch.Events, customers, cancellationToken);
        return TypedResults.Ok(new IngestAnswer(result.Accepted, result.Duplicates));
    }

    /// <summary>Copies the body into <paramref name="buffer"/>; false, without reading further, once it passes <paramref name="limit"/>.</summary>
    private static async Task<bool> TryReadBodyAsync(Stream body, PooledBody buffer, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await body.ReadAsync(buffer.Free(), cancellationToken);
            if (read == 0)
            {
                return true;
            }

            buffer.Advance(read);
            if (buffer.Count > limit)
            {
                return false;
            }
        }
    }

    private static IResult TooLarge(IngestionOptions limits) =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The body may be at most {limits.MaxBodyBytes} bytes{(limits.MaxBodyBytes % (1024 * 1024) == 0 ? $" ({limits.MaxBodyBytes / (1024 * 1024)} MiB)" : "")}; send smaller batches.",
            [new FieldError("body", $"larger than {limits.MaxBodyBytes} bytes")]);

    /// <summary>
    /// Bytes read into an array rented from <see cref="Pool"/>, which grows by renting twice the size. The pool keeps at
    /// most 8 arrays of each size up to 1 MiB (about 16 MiB in all) and none larger: the shared pool kept one per thread and
    /// 8 per core of every size rented, 4 MiB arrays included, which raised the server's resident memory after a load of
    /// 10,000-event batches by some 100 MiB.
    /// </summary>
    private sealed class PooledBody(int capacity) : IDisposable
    {
        private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(1024 * 1024, 8);

        private byte[] array = Pool.Rent(capacity);

        public int Count { get; private set; }

        public ReadOnlySpan<byte> Written => array.AsSpan(0, Count);

        /// <summary>The unwritten rest of the array, never empty: a read into it that returns 0 means the end of the body.</summary>
        public Memory<byte> Free()
        {
            if (Count == array.Length)
            {
                var larger = Pool.Rent(array.Length * 2);
                array.AsSpan(0, Count).CopyTo(larger);
                Pool.Return(array);
                array = larger;
            }

            return array.AsMemory(Count);
        }

        public void Advance(int count) => Count += count;

        public void Dispose()
        {
            if (array.Length > 0)
            {
                Pool.Return(array);
                array = [];
            }
        }
    }
}
