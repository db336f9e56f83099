using System.Net;
using System.Net.Mail;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using UsagePortal.Data.Outbox;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Email;

/// <summary>
/// Delivers queued e-mail: through SMTP when <c>Email:Smtp:Host</c> is set, otherwise as one .eml file per
/// message in the pickup folder. Both are idempotent on the outbox id: the file is named after it (a replay
/// rewrites the same file), and SMTP carries it as the Message-ID so that receivers drop a repeat.
/// </summary>
internal sealed class EmailDelivery(IOptions<EmailOptions> options, IHostEnvironment environment) : IOutboxHandler
{
    public string Kind => EmailOutbox.Kind;

    public async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var email = JsonSerializer.Deserialize<EmailMessage>(message.Payload)
            ?? throw new InvalidOperationException($"Outbox message {message.Id} has no e-mail payload.");
        var settings = options.Value;
        var messageId = $"<{message.Id:N}@usageportal>";
        if (!string.IsNullOrWhiteSpace(settings.Smtp.Host))
        {
            // The text part first and the HTML part last: clients show the last alternative they can render.
            using var mail = new MailMessage(settings.From, email.To, email.Subject, email.TextBody ?? EmlFormat.PlainText(email.HtmlBody))
            {
                IsBodyHtml = false,
                SubjectEncoding = Encoding.UTF8,
                BodyEncoding = Encoding.UTF8,
            };
            mail.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.HtmlBody, Encoding.UTF8, "text/html"));
            mail.Headers.Add("Message-ID", messageId);
            using var smtp = new SmtpClient(settings.Smtp.Host, settings.Smtp.Port) { EnableSsl = settings.Smtp.EnableSsl };
            if (!string.IsNullOrEmpty(settings.Smtp.UserName))
            {
                smtp.Credentials = new NetworkCredential(settings.Smtp.UserName, settings.Smtp.Password);
            }

            await smtp.SendMailAsync(mail, cancellationToken);
            return;
        }

        var folder = PickupFolder(settings, environment);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{message.Id:N}.eml");
        var temporary = path + ".tmp";
        // ASCII bytes, no byte-order mark: a file starting with one has no headers for a mail parser.
        var eml = EmlFormat.Write(settings.From, email, messageId, $"=_usageportal_{message.Id:N}", message.CreatedAt);
        await File.WriteAllBytesAsync(temporary, Encoding.ASCII.GetBytes(eml), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public static string PickupFolder(EmailOptions settings, IHostEnvironment environment) =>
        Path.IsPathRooted(settings.PickupDirectory)
            ? settings.PickupDirectory
            : Path.Combine(environment.ContentRootPath, settings.PickupDirectory);
}
