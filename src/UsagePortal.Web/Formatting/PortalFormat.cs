using System.Globalization;
using UsagePortal.Data.Customers;
using UsagePortal.Pricing;

namespace UsagePortal.Web.Formatting;

/// <summary>
/// The one way the portal and the admin console write dates and money: in the customer's locale and time zone, with
/// month names (never 01/10/2026, which half the world reads as January and the other half as October), and periods
/// with their last day included ("1 Oct – 31 Oct 2026"), as people write them. Admin pages format a customer's data in
/// that customer's format, so an amount reads the same on both sides.
/// </summary>
public sealed class PortalFormat(CultureInfo culture, TimeZoneInfo timeZone)
{
    /// <summary>For the operator's own pages (audit log, API keys): British English, UTC.</summary>
    public static readonly PortalFormat Operator = new(CultureInfo.GetCultureInfo("en-GB"), TimeZoneInfo.Utc);

    public CultureInfo Culture { get; } = culture;

    public TimeZoneInfo TimeZone { get; } = timeZone;

    /// <summary>The zone for page footers and captions, e.g. "America/New_York".</summary>
    public string ZoneLabel => TimeZone.Id;

    public static PortalFormat For(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return new(CultureOf(customer.Locale), TimeZoneInfo.TryFindSystemTimeZoneById(customer.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc);
    }

    public System.DateTime ToLocal(System.DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeZone);

    /// <summary>"1 Oct 2026" (month names in the customer's language).</summary>
    public string Date(System.DateTime utc) => ToLocal(utc).ToString("d MMM yyyy", Culture);

    /// <summary>A local calendar day: "1 Oct 2026".</summary>
    public string Date(DateOnly day) => day.ToString("d MMM yyyy", Culture);

    /// <summary>"1 Oct 2026, 14:05" in the customer's zone.</summary>
    public string DateTime(System.DateTime utc) => ToLocal(utc).ToString("d MMM yyyy, " + Culture.DateTimeFormat.ShortTimePattern, Culture);

    /// <summary>"14:05:09": the freshness of live figures.</summary>
    public string Time(System.DateTime utc) => ToLocal(utc).ToString(Culture.DateTimeFormat.LongTimePattern, Culture);

    /// <summary>A short day label for chart axes: "1 Oct".</summary>
    public string Day(DateOnly day) => day.ToString("d MMM", Culture);

    /// <summary>
    /// A period [start, end) as people write it, its last day included: "1 Oct – 31 Oct 2026", or with both years when
    /// they differ. An end that is not a local midnight (a part period) shows its date and time.
    /// </summary>
    public string Period(System.DateTime startUtc, System.DateTime endUtc)
    {
        var start = ToLocal(startUtc);
        var end = ToLocal(endUtc);
        if (end.TimeOfDay != TimeSpan.Zero || start.TimeOfDay != TimeSpan.Zero)
        {
            return $"{DateTime(startUtc)} – {DateTime(endUtc)}";
        }

        var last = end.AddDays(-1);
        if (last < start)
        {
            last = start;
        }

        return start.Year == last.Year
            ? $"{start.ToString("d MMM", Culture)} – {last.ToString("d MMM yyyy", Culture)}"
            : $"{start.ToString("d MMM yyyy", Culture)} – {last.ToString("d MMM yyyy", Culture)}";
    }

    /// <summary>"1,234.50 USD", "1.234,50 EUR": minor units with the currency's own decimals, the code after.</summary>
    public string Money(long minorUnits, string currencyCode) => Money(minorUnits, Currency.FromCode(currencyCode));

    public string Money(long minorUnits, Currency currency)
    {
        ArgumentNullException.ThrowIfNull(currency);
        return currency.FromMinorUnits(minorUnits).ToString("N" + currency.MinorUnitExponent.ToString(CultureInfo.InvariantCulture), Culture) + "\u00a0" + currency.Code;
    }

    /// <summary>An exact amount (a price, a breakdown) with every digit it has, never rounded: "0.0333".</summary>
    public string Exact(decimal value) => value.ToString("#,0.############################", Culture);

    /// <summary>An exact amount of money with its code: "0.0333 USD".</summary>
    public string ExactMoney(decimal value, string currencyCode) => Exact(value) + "\u00a0" + currencyCode;

    /// <summary>A quantity: grouped digits, every decimal it has.</summary>
    public string Number(decimal value) => value.ToString("#,0.############", Culture);

    /// <summary>"8.25 %" from a fraction (0.0825).</summary>
    public string Percent(decimal fraction) => (fraction * 100m).ToString("#,0.####", Culture) + "\u00a0%";

    private static CultureInfo CultureOf(string locale)
    {
        try
        {
            return CultureInfo.GetCultureInfo(locale);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.GetCultureInfo("en-US");
        }
    }
}
