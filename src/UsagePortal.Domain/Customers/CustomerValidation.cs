using System.Globalization;
using System.Text.RegularExpressions;

namespace UsagePortal.Domain.Customers;

/// <summary>Checks a customer's fields, naming each bad field and why. Used by the admin form and the API.</summary>
public static partial class CustomerValidation
{
    private static readonly HashSet<string> KnownCurrencies = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
        .Select(c => { try { return new RegionInfo(c.Name).ISOCurrencySymbol; } catch (ArgumentException) { return null; } })
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>What <c>taxRate</c> must be, for a value of the wrong kind (the API reads it as a number or a string).</summary>
    public const string TaxRateReason = "must be a decimal fraction between 0 and 1, such as \"0.19\" for 19 %.";

    public static IReadOnlyList<FieldError> Validate(string? externalId, string? name, string? email, string? currency, string? timeZone, string? locale, decimal? taxRate)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(externalId) || externalId.Length > 256 || !ExternalIdPattern().IsMatch(externalId))
        {
            errors.Add(new("externalId", "Required: 1 to 256 characters, no spaces or control characters."));
        }

        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200)
        {
            errors.Add(new("name", "Required: 1 to 200 characters."));
        }

        if (string.IsNullOrWhiteSpace(email) || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email))
        {
            errors.Add(new("email", "Enter a valid e-mail address."));
        }

        if (currency is null || !KnownCurrencies.Contains(currency))
        {
            errors.Add(new("currency", "Enter an ISO 4217 currency code in upper case, such as USD or EUR."));
        }

        if (!TimeZones.TryFindIana(timeZone, out _))
        {
            errors.Add(new("timeZone", TimeZones.WindowsIdReason(timeZone) ?? "Enter an IANA time zone, such as Europe/Paris or UTC."));
        }

        if (!IsCulture(locale))
        {
            errors.Add(new("locale", "Enter a locale, such as en-US or de-DE."));
        }

        if (taxRate is null or < 0 or >= 1)
        {
            errors.Add(new("taxRate", "Enter the tax rate as a fraction from 0 up to (not including) 1, such as 0.2 for 20 %."));
        }

        return errors;
    }

    private static bool IsCulture(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale))
        {
            return false;
        }

        try
        {
            return !CultureInfo.GetCultureInfo(locale, predefinedOnly: true).Equals(CultureInfo.InvariantCulture);
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[^\s\p{C}]+$")]
    private static partial Regex ExternalIdPattern();
}
