using System.Collections.Frozen;

namespace UsagePortal.Pricing;

/// <summary>
/// Active ISO 4217 currencies (list of 2025) with their minor-unit exponents. Fund codes
/// (CHE, USN, ...), precious metals and withdrawn codes are left out on purpose: nobody is
/// invoiced in them, and accepting them would only let typos through.
/// </summary>
internal static class IsoCurrencyTable
{
    private const string ZeroDecimals =
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";

    private const string ThreeDecimals = "BHD IQD JOD KWD LYD OMR TND";

    private const string FourDecimals = "CLF UYW";

    private const string TwoDecimals =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN " +
        "BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS " +
        "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR " +
        "LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD " +
        "PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN " +
        "SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR " +
        "ZMW ZWG";

    private static readonly FrozenDictionary<string, int> Exponents = Build();

    private static readonly decimal[] PowersOfTen = [1m, 10m, 100m, 1000m, 10000m];

    public static IReadOnlyList<string> Codes { get; } = [.. Exponents.Keys.Order(StringComparer.Ordinal)];

    public static bool TryGetExponent(string code, out string canonicalCode, out int exponent)
    {
        canonicalCode = code.ToUpperInvariant();
        return Exponents.TryGetValue(canonicalCode, out exponent);
    }

    public static decimal PowerOfTen(int exponent) => PowersOfTen[exponent];

    private static FrozenDictionary<string, int> Build()
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        Add(table, ZeroDecimals, 0);
        Add(table, TwoDecimals, 2);
        Add(table, ThreeDecimals, 3);
        Add(table, FourDecimals, 4);
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static void Add(Dictionary<string, int> table, string codes, int exponent)
    {
        foreach (var code in codes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Add (not the indexer) so a code listed twice fails loudly at startup.
            table.Add(code, exponent);
        }
    }
}
