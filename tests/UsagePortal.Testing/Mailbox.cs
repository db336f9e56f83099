using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Testing;

/// <summary>Reads the e-mails a test host wrote to its pickup folder, after running the outbox sweep once.</summary>
public static class Mailbox
{
    /// <summary>Every message in the pickup folder, as raw text (the files are ASCII: headers and encoded bodies).</summary>
    public static async Task<IReadOnlyList<string>> DeliverAndReadAsync(this PortalFactory factory) =>
        (await factory.DeliverAndParseAsync()).Select(m => System.Text.Encoding.Latin1.GetString(m.Bytes)).ToList();

    /// <summary>Every message in the pickup folder, parsed as a mail client parses it, in sending order.</summary>
    public static async Task<IReadOnlyList<EmlMessage>> DeliverAndParseAsync(this PortalFactory factory)
    {
        await factory.WithServicesAsync(services => services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None));
        // Files are named after time-ordered (v7) outbox ids, so name order is sending order.
        return Directory.GetFiles(factory.MailFolder, "*.eml").Order(StringComparer.Ordinal).Select(EmlMessage.Read).ToList();
    }

    /// <summary>The newest message to <paramref name="to"/>.</summary>
    public static async Task<EmlMessage> MessageSentToAsync(this PortalFactory factory, string to)
    {
        var messages = await factory.DeliverAndParseAsync();
        return messages.LastOrDefault(m => string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No e-mail to {to} among {messages.Count}.");
    }

    /// <summary>The first link of the newest message to <paramref name="to"/>, absolute, as the e-mail carries it.</summary>
    public static async Task<Uri> AbsoluteLinkSentToAsync(this PortalFactory factory, string to)
    {
        var message = await factory.MessageSentToAsync(to);
        return new Uri(message.HtmlLink ?? throw new InvalidOperationException($"The e-mail to {to} has no link."));
    }

    /// <summary>The newest message to <paramref name="to"/>'s first link, made relative to the host.</summary>
    public static async Task<string> LinkSentToAsync(this PortalFactory factory, string to) =>
        (await factory.AbsoluteLinkSentToAsync(to)).PathAndQuery;
}
