using System.Diagnostics.CodeAnalysis;

namespace UsagePortal.Domain.Customers;

/// <summary>
/// Billing time zones are IANA ids (Europe/Paris). .NET also finds a zone by its Windows id ("Pacific Standard Time"),
/// which would then be stored and shown as such and mean nothing to other systems; those are refused, naming the IANA
/// id to use instead.
/// </summary>
public static class TimeZones
{
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
