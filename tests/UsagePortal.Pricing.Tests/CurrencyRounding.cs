namespace UsagePortal.Pricing.Tests;

public class CurrencyRounding
{
    private static readonly Currency Usd = Currency.FromCode("USD");
    private static readonly Currency Jpy = Currency.FromCode("JPY");
    private static readonly Currency Kwd = Currency.FromCode("KWD");

    [Theory]
    [InlineData("1.005", 101)]
    [InlineData("2.345", 235)]
    [InlineData("0.125", 13)]
    [InlineData("0.135", 14)]
    [InlineData("1.004999", 100)]
    [InlineData("0", 0)]
    public void RoundsHalfAwayFromZeroForPositiveAmounts(string amount, long expectedCents) =>
        Assert.Equal(expectedCents, Usd.RoundToMinorUnits(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("-1.005", -101)]
    [InlineData("-2.345", -235)]
    [InlineData("-0.125", -13)]
    [InlineData("-0.004", 0)]
    public void RoundsHalfAwayFromZeroForNegativeAmounts(string amount, long expectedCents) =>
        Assert.Equal(expectedCents, Usd.RoundToMinorUnits(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void NeverRoundsHalfToEven()
    {
        // Banker's rounding would give 2 and 12 here.
        Assert.Equal(3, Jpy.RoundToMinorUnits(2.5m));
        Assert.Equal(13, Usd.RoundToMinorUnits(0.125m));
    }

    [Fact]
    public void RoundsYenToWholeYen()
    {
        Assert.Equal(0, Jpy.MinorUnitExponent);
        Assert.Equal(3, Jpy.RoundToMinorUnits(2.5m));
        Assert.Equal(-3, Jpy.RoundToMinorUnits(-2.5m));
        Assert.Equal(2, Jpy.RoundToMinorUnits(2.4999m));
        Assert.Equal(1235, Jpy.RoundToMinorUnits(1234.5m));
    }

    [Fact]
    public void RoundsKuwaitiDinarToThreeDecimals()
    {
        Assert.Equal(3, Kwd.MinorUnitExponent);
        Assert.Equal(1235, Kwd.RoundToMinorUnits(1.2345m));
        Assert.Equal(-1235, Kwd.RoundToMinorUnits(-1.2345m));
        Assert.Equal(1, Kwd.RoundToMinorUnits(0.0005m));
        Assert.Equal(0, Kwd.RoundToMinorUnits(0.00049m));
    }

    [Fact]
    public void RoundReturnsCurrencyUnitsAtTheMinorUnit()
    {
        Assert.Equal(1.01m, Usd.Round(1.005m));
        Assert.Equal(3m, Jpy.Round(2.5m));
        Assert.Equal(1.235m, Kwd.Round(1.2345m));
    }

    [Fact]
    public void ConvertsMinorUnitsBackToCurrencyUnits()
    {
        Assert.Equal(12.34m, Usd.FromMinorUnits(1234));
        Assert.Equal(1234m, Jpy.FromMinorUnits(1234));
        Assert.Equal(1.234m, Kwd.FromMinorUnits(1234));
        Assert.Equal(-0.05m, Usd.FromMinorUnits(-5));
    }

    [Fact]
    public void ConvertsWholeMinorUnitAmountsWithoutRounding()
    {
        Assert.Equal(1234, Usd.ToMinorUnitsExact(12.34m));
        Assert.Equal(1234, Usd.ToMinorUnitsExact(12.3400m));
        Assert.Throws<ArgumentException>(() => Usd.ToMinorUnitsExact(12.345m));
        Assert.Throws<ArgumentException>(() => Jpy.ToMinorUnitsExact(1.5m));
    }

    [Fact]
    public void FormatsMinorUnitsWithTheCurrencysNumberOfDecimals()
    {
        Assert.Equal("12.30", Usd.FormatMinorUnits(1230));
        Assert.Equal("-0.05", Usd.FormatMinorUnits(-5));
        Assert.Equal("5", Jpy.FormatMinorUnits(5));
        Assert.Equal("1.234", Kwd.FormatMinorUnits(1234));
    }

    [Theory]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    [InlineData("GBP", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("CHF", 2)]
    [InlineData("CAD", 2)]
    [InlineData("AUD", 2)]
    [InlineData("SEK", 2)]
    [InlineData("NOK", 2)]
    [InlineData("DKK", 2)]
    [InlineData("PLN", 2)]
    [InlineData("CZK", 2)]
    [InlineData("INR", 2)]
    [InlineData("BRL", 2)]
    [InlineData("MXN", 2)]
    [InlineData("CNY", 2)]
    [InlineData("HKD", 2)]
    [InlineData("SGD", 2)]
    [InlineData("NZD", 2)]
    [InlineData("ZAR", 2)]
    [InlineData("HUF", 2)]
    [InlineData("KWD", 3)]
    [InlineData("BHD", 3)]
    [InlineData("JOD", 3)]
    [InlineData("OMR", 3)]
    [InlineData("TND", 3)]
    [InlineData("CLP", 0)]
    [InlineData("ISK", 0)]
    [InlineData("VND", 0)]
    [InlineData("CLF", 4)]
    public void KnowsTheIsoMinorUnitExponent(string code, int exponent) =>
        Assert.Equal(exponent, Currency.FromCode(code).MinorUnitExponent);

    [Theory]
    [InlineData("XYZ")]
    [InlineData("US")]
    [InlineData("")]
    [InlineData("USD ")]
    [InlineData("EURO")]
    [InlineData("HRK")]
    public void RejectsUnknownCurrencyCodes(string code)
    {
        Assert.False(Currency.TryFromCode(code, out _));
        Assert.Throws<ArgumentException>(() => Currency.FromCode(code));
    }

    [Fact]
    public void AcceptsLowerCaseCodesAndAnswersInUpperCase()
    {
        Assert.True(Currency.TryFromCode("eur", out var euro));
        Assert.Equal("EUR", euro.Code);
        Assert.Equal(Currency.FromCode("EUR"), euro);
    }

    [Fact]
    public void AddsMoneyOfOneCurrencyAndRefusesToMixCurrencies()
    {
        var sum = Money.RoundFrom(1.005m, Usd) + Money.RoundFrom(2m, Usd);
        Assert.Equal(301, sum.MinorUnits);
        Assert.Equal("3.01", sum.ToDecimalString());
        Assert.Throws<InvalidOperationException>(() => Money.Zero(Usd) + Money.Zero(Jpy));
    }
}
