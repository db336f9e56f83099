using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UsagePortal.Domain.Budgets;

/// <summary>
/// How alert webhooks are signed. Each request carries three headers: <see cref="IdHeader"/> (the delivery's id, the
/// same on every retry: receivers drop a repeat), <see cref="TimestampHeader"/> (Unix seconds when this attempt was
/// signed) and <see cref="SignatureHeader"/>: <c>v1=</c> and the lower-case hex HMAC-SHA256, keyed with the signing
/// secret (its UTF-8 bytes), of the timestamp, a full stop and the raw request body. A receiver recomputes it over the
/// body as received, compares in constant time, and refuses a timestamp more than five minutes old.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "UsagePortal-Webhook-Id";
    public const string TimestampHeader = "UsagePortal-Webhook-Timestamp";
    public const string SignatureHeader = "UsagePortal-Webhook-Signature";

    /// <summary>The signature header's value for a body signed at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var signed = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body);
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Whether <paramref name="signature"/> is the signature of <paramref name="body"/> at <paramref name="timestamp"/> (constant-time).</summary>
    public static bool Verify(string secret, string timestamp, string body, string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>A new secret: <c>whsec_</c> and 32 random bytes, base64url.</summary>
    public static string NewSecret() =>
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
