using System.Net;
using System.Net.Mail;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using UsagePortal.Data.Outbox;
using UsagePortal.Web.Outbox;

namespace UsagePortal.Web.Email;

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
            using var mail = new MailMessage(settings.From, email.To, email.Subject, email.HtmlBody) { IsBodyHtml = true };
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
        await File.WriteAllTextAsync(temporary, ToEml(settings.From, email, messageId, message.CreatedAt), Encoding.UTF8, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    public static string PickupFolder(EmailOptions settings, IHostEnvironment environment) =>
        Path.IsPathRooted(settings.PickupDirectory)
            ? settings.PickupDirectory
            : Path.Combine(environment.ContentRootPath, settings.PickupDirectory);

    private static string ToEml(string from, EmailMessage email, string messageId, DateTime createdAt)
    {
        var body = new StringBuilder()
            .Append("From: ").Append(from).Append("\r\n")
            .Append("To: ").Append(email.To).Append("\r\n")
            .Append("Subject: =?utf-8?B?").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(email.Subject))).Append("?=\r\n")
            .Append("Date: ").Append(createdAt.ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Message-ID: ").Append(messageId).Append("\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: text/html; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: 8bit\r\n\r\n")
            .Append(email.HtmlBody).Append("\r\n");
        return body.ToString();
    }
}
