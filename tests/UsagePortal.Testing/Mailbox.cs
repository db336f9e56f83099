using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Web.Outbox;

namespace UsagePortal.Testing;

/// <summary>Reads the e-mails a test host wrote to its pickup folder, after running the outbox sweep once.</summary>
public static partial class Mailbox
{
    public static async Task<IReadOnlyList<string>> DeliverAndReadAsync(this PortalFactory factory)
    {
        await factory.WithServicesAsync(services => services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None));
        // Files are named after time-ordered (v7) outbox ids, so name order is sending order.
        return Directory.GetFiles(factory.MailFolder, "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
    }

    /// <summary>The newest message to <paramref name="to"/>'s first link, made relative to the host.</summary>
    public static async Task<string> LinkSentToAsync(this PortalFactory factory, string to)
    {
        var messages = await factory.DeliverAndReadAsync();
        var message = messages.LastOrDefault(m => m.Contains($"To: {to}\r\n", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No e-mail to {to} among {messages.Count}.");
        var href = WebUtility.HtmlDecode(LinkPattern().Match(message).Groups["href"].Value);
        return new Uri(href).PathAndQuery;
    }

    [GeneratedRegex(@"href=""(?<href>[^""]+)""")]
    private static partial Regex LinkPattern();
}
