using System.Globalization;
using UsagePortal.Data.Customers;

namespace UsagePortal.Web.Tenancy;

/// <summary>Dates and numbers as a customer's users expect them: in the organisation's locale and time zone.</summary>
public sealed class CustomerFormat(CultureInfo culture, TimeZoneInfo timeZone)
{
    public static readonly CustomerFormat Operator = new(CultureInfo.GetCultureInfo("en-GB"), TimeZoneInfo.Utc);

    public CultureInfo Culture { get; } = culture;

    public TimeZoneInfo TimeZone { get; } = timeZone;

    public static CustomerFormat For(Customer customer) =>
        new(CultureInfo.GetCultureInfo(customer.Locale),
            TimeZoneInfo.TryFindSystemTimeZoneById(customer.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc);

    public System.DateTime ToLocal(System.DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(System.DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeZone);

    public string Date(System.DateTime utc) => ToLocal(utc).ToString("d", Culture);

    public string DateTime(System.DateTime utc) => ToLocal(utc).ToString("g", Culture);

    public string Number(decimal value) => value.ToString("#,0.########", Culture);

    /// <summary>The zone's short label for page footers, e.g. "America/New_York".</summary>
    public string ZoneLabel => TimeZone.Id;
}
