using System.Diagnostics.CodeAnalysis;

namespace UsagePortal.Domain.Customers;

/// <summary>
/// Billing time zones are IANA ids (Europe/Paris). .NET also finds a zone by its Windows id ("Pacific Standard Time"),
/// which would then be stored and shown as such and mean nothing to other systems; those are refused, naming the IANA
/// id to use instead.
/// </summary>
public static class TimeZones
{
    private static readonly Lazy<IReadOnlyList<string>> Known = new(() =>
        [.. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct(StringComparer.Ordinal)
            .Where(id => TryFindIana(id, out _))
            .Order(StringComparer.Ordinal)]);

    /// <summary>Every IANA id this machine knows (UTC included), sorted: what the admin's time zone picker offers.</summary>
    public static IReadOnlyList<string> IanaIds => Known.Value;

    /// <summary>
    /// The known IANA ids that contain <paramref name="text"/>, any case, a space matching an underscore ("new york"
    /// finds America/New_York); every id for empty text.
    /// </summary>
    public static IEnumerable<string> Search(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return IanaIds;
        }

        var term = text.Trim().Replace(' ', '_');
        return IanaIds.Where(id => id.Contains(term, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The zone of an IANA id; false for an unknown id or a Windows one.</summary>
    public static bool TryFindIana(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id) || WindowsIdReplacement(id) is not null)
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone);
    }

    /// <summary>For a Windows id, the reason it is refused with the IANA id to use; null otherwise.</summary>
    public static string? WindowsIdReason(string? id) =>
        WindowsIdReplacement(id) is { } iana ? $"'{id}' is a Windows time zone id; use the IANA id {iana} instead." : null;

    /// <summary>The IANA id for a Windows id that is not also an IANA id ("UTC" is both, and stays).</summary>
    private static string? WindowsIdReplacement(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out var iana) && !TimeZoneInfo.TryConvertIanaIdToWindowsId(id, out _)
            ? iana
            : null;
}
