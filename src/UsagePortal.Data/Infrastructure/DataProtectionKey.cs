namespace UsagePortal.Data.Infrastructure;

/// <summary>
/// An ASP.NET Core data-protection key ring entry. Kept in the database so that every web node
/// decrypts every other node's sign-in cookies and antiforgery tokens (no sticky sessions).
/// </summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public required string Xml { get; set; }
}
