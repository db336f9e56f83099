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

    /// <summary>
    /// How often a sign-in cookie is checked against its account: a removed user, or a session from before a password
    /// change, is signed out at its first request after this. Each check is one database read per session.
    /// </summary>
    public TimeSpan SessionRevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}
