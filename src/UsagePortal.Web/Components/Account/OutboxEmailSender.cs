using System.Net;
using Microsoft.AspNetCore.Identity;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Email;

namespace UsagePortal.Web.Components.Account;

/// <summary>The e-mails ASP.NET Core Identity sends (password reset), routed through the outbox.</summary>
internal sealed class OutboxEmailSender(EmailOutbox outbox) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(email, "Confirm your e-mail address",
            $"<p>Hello {WebUtility.HtmlEncode(user.DisplayName)},</p><p>Please <a href=\"{confirmationLink}\">confirm your e-mail address</a>.</p>");

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(email, "Reset your UsagePortal password",
            $"<p>Hello {WebUtility.HtmlEncode(user.DisplayName)},</p><p>Someone asked to reset your password. If it was you, <a href=\"{resetLink}\">choose a new password</a>. The link works for three days. If it was not you, ignore this e-mail.</p>");

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(email, "Your UsagePortal password reset code",
            $"<p>Your password reset code is <strong>{WebUtility.HtmlEncode(resetCode)}</strong>.</p>");

    private Task SendAsync(string to, string subject, string html) => outbox.SendAsync(new EmailMessage(to, subject, html));
}
