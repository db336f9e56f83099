namespace UsagePortal.Web.Tests.Api;

/// <summary>A body sent chunked, without Content-Length: the server can neither check nor size it before reading it.</summary>
public sealed class UnknownLengthContent(byte[] bytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
