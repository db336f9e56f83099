namespace UsagePortal.Web.Tests;

internal static class TestExtensions
{
    /// <summary>The path of a redirect target, whether the server wrote it relative or absolute.</summary>
    public static string AbsolutePath(this Uri location) =>
        location.IsAbsoluteUri ? location.AbsolutePath : "/" + location.OriginalString.TrimStart('/').Split('?')[0];
}
