using System.Text.RegularExpressions;

namespace UsagePortal.Web.Tests.Hosting;

/// <summary>The README is what a newcomer has: it must stand on its own and say only what is true of this repository.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

    [Fact]
    public void TheReadmePointsAtNoFileOutsideTheRepository()
    {
        Assert.DoesNotMatch(ParentFolder(), Readme);
        Assert.DoesNotContain("PRODUCT.md", Readme, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Payments:Provider")]
    [InlineData("Payments:Stripe:SecretKey")]
    [InlineData("Payments:Stripe:WebhookSecret")]
    [InlineData("Payments:Stripe:ApiBase")]
    [InlineData("/api/v1/webhooks/stripe")]
    [InlineData("test mode")]
    public void TheReadmeDocumentsThePaymentSettings(string text)
    {
        Assert.Contains(text, Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCurlFollowsTheAddressTheAppPrintsInsteadOfAHardCodedPort()
    {
        var curls = CurlLine().Matches(Readme).Select(m => m.Value).ToList();

        Assert.NotEmpty(curls);
        Assert.All(curls, curl => Assert.Contains("$PORTAL/", curl, StringComparison.Ordinal));
        Assert.Contains("PORTAL=http://localhost:5080", Readme, StringComparison.Ordinal);
        Assert.Contains("UsagePortal is listening on", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFileTheReadmeLinksExists()
    {
        var links = FileLink().Matches(Readme).Select(m => m.Groups["path"].Value).ToList();

        Assert.Contains(links, l => l.EndsWith(".png", StringComparison.Ordinal));
        Assert.All(links, link => Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, link)), $"The README links {link}, which is not in the repository."));
    }

    [Theory]
    [InlineData("`Circuits:DisconnectedCircuitRetentionPeriod`")]
    [InlineData("`--urls`")]
    [InlineData("`ASPNETCORE_URLS`")]
    [InlineData("`App:PublicBaseUrl`")]
    [InlineData("`App:TrustForwardedHeaders`")]
    [InlineData("`Security:SignInAttemptsPerMinute`")]
    [InlineData("`Security:SessionRevalidationInterval`")]
    public void TheConfigurationTableDocumentsTheSetting(string setting)
    {
        var table = Readme[Readme.IndexOf("## Configuration", StringComparison.Ordinal)..Readme.IndexOf("## The public API", StringComparison.Ordinal)];

        Assert.Contains(table.Split('\n'), line => line.StartsWith('|') && line.Contains(setting, StringComparison.Ordinal));
    }

    /// <summary>"../something", but not the ellipsis of "…/plan" written as ".../plan".</summary>
    [GeneratedRegex(@"(?<!\.)\.\./")]
    private static partial Regex ParentFolder();

    /// <summary>A Markdown link to a file of the repository: [text](path), not to a web address.</summary>
    [GeneratedRegex(@"\]\((?<path>(?!https?:)[^)#\s]+)\)")]
    private static partial Regex FileLink();

    [GeneratedRegex(@"curl [^\n]*")]
    private static partial Regex CurlLine();
}
