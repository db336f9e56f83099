using System.Globalization;
using UsagePortal.Pricing;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.Billing;

/// <summary>Money and dates of the cost panel in the customer's locale, as the invoice pages write them ("1,234.50 USD").</summary>
public static class CostFormat
{
    /// <summary>
    /// An amount for people: minor units in the reader's culture with the currency code after it ("1,234.50 USD",
    /// "1.234,50 EUR"), the currency's own number of decimals.
    /// </summary>
    public static string Money(CustomerFormat format, long minorUnits, string currencyCode) =>
        Money(format, Currency.FromCode(currencyCode), minorUnits);

    /// <summary>Whole minor units with the currency's own number of decimals and its code.</summary>
    public static string Money(CustomerFormat format, Currency currency, long minorUnits)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(currency);
        return currency.FromMinorUnits(minorUnits).ToString("N" + currency.MinorUnitExponent.ToString(CultureInfo.InvariantCulture), format.Culture) + "\u00a0" + currency.Code;
    }

    /// <summary>An exact amount with every digit it has (breakdowns carry sub-cent prices), never rounded.</summary>
    public static string Exact(CustomerFormat format, decimal value)
    {
        ArgumentNullException.ThrowIfNull(format);
        return value.ToString("#,0.############################", format.Culture);
    }

    /// <summary>A local day as a short label: "Mar 15", "15 Mar", "15. März".</summary>
    public static string Day(CustomerFormat format, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(format);
        return date.ToString(format.Culture.DateTimeFormat.MonthDayPattern.Replace("MMMM", "MMM", StringComparison.Ordinal), format.Culture);
    }
}
