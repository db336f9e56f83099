namespace UsagePortal.Web.Hosting;

/// <summary>The <c>Security</c> section: sign-in throttling and how soon a revoked session ends.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>
    /// Sign-in posts (password, two-factor code, recovery code, forgot and reset password) one client address may make
    /// per minute; the next ones answer 429 until the minute is over. The per-account lockout comes on top of it.
    /// </summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;
}
