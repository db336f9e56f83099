using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace UsagePortal.Web.Documents;

/// <summary>The <c>Pdf</c> section.</summary>
public sealed class PdfOptions
{
    public const string SectionName = "Pdf";

    /// <summary>The Chromium to print with; by default <c>USAGEPORTAL_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public string Chromium { get; set; } = Environment.GetEnvironmentVariable("USAGEPORTAL_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>How long one document may take before it is given up (a loaded machine starts Chromium slowly).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Prints a self-contained HTML document to PDF with headless Chromium (<c>--print-to-pdf</c>): the print layout and the PDF
/// are one document, laid out once by a browser, with the customer's fonts, scripts and locale. One document at a time
/// (each is a short-lived Chromium with its own throw-away profile), so a burst of downloads cannot exhaust the machine.
/// </summary>
public sealed class PdfRenderer(IOptions<PdfOptions> options, ILogger<PdfRenderer> logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<byte[]> RenderAsync(string html, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(html);
        var settings = options.Value;
        await gate.WaitAsync(cancellationToken);
        var folder = Directory.CreateTempSubdirectory("usageportal-pdf-");
        try
        {
            var source = Path.Combine(folder.FullName, "document.html");
            var target = Path.Combine(folder.FullName, "document.pdf");
            await File.WriteAllTextAsync(source, html, cancellationToken);
            var start = new ProcessStartInfo(settings.Chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-pdf-header-footer", $"--user-data-dir={Path.Combine(folder.FullName, "profile")}",
                $"--print-to-pdf={target}", new Uri(source).AbsoluteUri,
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {settings.Chromium}.");
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(settings.Timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium took longer than {settings.Timeout} to print the document.");
            }

            await Task.WhenAll(errors, output);
            if (!File.Exists(target) || new FileInfo(target).Length == 0)
            {
                logger.LogError("Chromium made no PDF (exit code {Code}): {Errors}", process.ExitCode, await errors);
                throw new InvalidOperationException($"Chromium made no PDF (exit code {process.ExitCode}).");
            }

            return await File.ReadAllBytesAsync(target, cancellationToken);
        }
        finally
        {
            gate.Release();
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temp folder: best effort.
            }
        }
    }
}
