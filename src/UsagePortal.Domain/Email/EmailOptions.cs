namespace UsagePortal.Domain.Email;

/// <summary>The <c>Email</c> section. With no SMTP host, messages are written to <see cref="PickupDirectory"/> as .eml files.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    public string From { get; set; } = "UsagePortal <no-reply@usageportal.local>";

    /// <summary>Relative paths are under the content root.</summary>
    public string PickupDirectory { get; set; } = "App_Data/mail";

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public bool EnableSsl { get; set; } = true;

    public string? UserName { get; set; }

    public string? Password { get; set; }
}
