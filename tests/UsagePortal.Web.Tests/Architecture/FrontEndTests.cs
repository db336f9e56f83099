namespace UsagePortal.Web.Tests.Architecture;

/// <summary>The portal runs on Blazor's circuit and MudBlazor: the htmx and Bootstrap front end it replaced is gone for good.</summary>
public sealed class FrontEndTests
{
    private static readonly string[] Skipped = ["bin", "obj", ".git", "node_modules", "TestResults", ".playwright"];

    [Fact]
    public void NoHtmxOrBootstrapFileOrReferenceRemains()
    {
        var offenders = Files(RepositoryRoot.Path)
            .Where(f => IsFrontEnd(f) && (Named(f, "htmx") || Named(f, "bootstrap") || Mentions(f)))
            .Select(f => Path.GetRelativePath(RepositoryRoot.Path, f))
            .ToList();

        Assert.True(offenders.Count == 0, "htmx or Bootstrap is still here:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void TheAppLoadsBlazorsCircuitScript()
    {
        var app = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "UsagePortal.Web", "Components", "App.razor"));

        Assert.Contains("_framework/blazor.web.js", app, StringComparison.Ordinal);
    }

    private static bool IsFrontEnd(string file) =>
        Path.GetExtension(file) is ".razor" or ".html" or ".css" or ".js" or ".map" or ".cshtml" or ".json" || Path.GetFileName(file).Contains("htmx", StringComparison.OrdinalIgnoreCase);

    private static bool Named(string file, string name) => Path.GetFileName(file).Contains(name, StringComparison.OrdinalIgnoreCase);

    private static bool Mentions(string file)
    {
        var text = File.ReadAllText(file);
        return text.Contains("hx-", StringComparison.Ordinal) && text.Contains("htmx", StringComparison.OrdinalIgnoreCase)
            || text.Contains("bootstrap.min", StringComparison.OrdinalIgnoreCase)
            || text.Contains("htmx.org", StringComparison.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> Files(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(folder).Where(d => !Skipped.Contains(Path.GetFileName(d), StringComparer.Ordinal)))
        {
            foreach (var file in Files(child))
            {
                yield return file;
            }
        }
    }
}
