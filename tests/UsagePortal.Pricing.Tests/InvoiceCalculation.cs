namespace UsagePortal.Pricing.Tests;

public class InvoiceCalculation
{
    private static readonly Currency Usd = Currency.FromCode("USD");
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RoundsEachLineOnceAndAddsTheRoundedLines()
    {
        var invoice = Calculate([Charge(1.005m), Charge(1.005m)]);

        // Rounding the exact sum (2.01) would give 2.01; the invoice adds the rounded lines.
        Assert.Equal([101L, 101L], invoice.Lines.Select(l => l.AmountMinorUnits));
        Assert.Equal(202, invoice.Subtotal);
        Assert.Equal(202, invoice.Total);
    }

    [Fact]
    public void ComputesTaxOnTheAmountAfterCreditsAndRoundsItOnce()
    {
        var invoice = Calculate([Charge(100m)], [Grant("g", 3_333, null)], taxRate: 0.2m);

        Assert.Equal(10_000, invoice.Subtotal);
        Assert.Equal(3_333, invoice.CreditsApplied);
        Assert.Equal(6_667, invoice.TaxableAmount);
        Assert.Equal(1_333, invoice.Tax); // 66.67 × 0.2 = 13.334
        Assert.Equal(10_000 - 3_333 + 1_333, invoice.Total);
    }

    [Fact]
    public void RoundsTaxHalfAwayFromZero()
    {
        var invoice = Calculate([Charge(0.25m)], taxRate: 0.1m);

        Assert.Equal(3, invoice.Tax); // 0.025 → 0.03
    }

    [Fact]
    public void UsesTheSoonestExpiringCreditFirstAndNeverExpiringCreditsLast()
    {
        var invoice = Calculate(
            [Charge(50m)],
            [
                Grant("forever", 10_000, null),
                Grant("late", 3_000, Now.AddDays(60)),
                Grant("soon", 1_000, Now.AddDays(5)),
            ]);

        Assert.Equal(
            [new CreditConsumption("soon", 1_000, 0), new CreditConsumption("late", 3_000, 0), new CreditConsumption("forever", 1_000, 9_000)],
            invoice.CreditConsumptions);
        Assert.Equal(5_000, invoice.CreditsApplied);
        Assert.Equal(0, invoice.Total);
    }

    [Fact]
    public void SkipsCreditsThatHaveExpired()
    {
        var invoice = Calculate([Charge(10m)], [Grant("old", 500, Now), Grant("fresh", 200, Now.AddTicks(1))]);

        Assert.Equal("fresh", Assert.Single(invoice.CreditConsumptions).GrantId);
        Assert.Equal(800, invoice.Total);
    }

    [Fact]
    public void NeverAppliesMoreCreditThanTheSubtotal()
    {
        var invoice = Calculate([Charge(10m)], [Grant("big", 50_000, null)], taxRate: 0.2m);

        Assert.Equal(1_000, invoice.CreditsApplied);
        Assert.Equal(49_000, Assert.Single(invoice.CreditConsumptions).RemainingMinorUnits);
        Assert.Equal(0, invoice.Tax);
        Assert.Equal(0, invoice.Total);
    }

    [Fact]
    public void SubtractsNegativeCapAdjustments()
    {
        var invoice = Calculate(
        [
            Charge(150.004m),
            new InvoiceLineInput(InvoiceLineKind.CapAdjustment, "hard cap", -50.004m),
        ]);

        Assert.Equal([15_000L, -5_000L], invoice.Lines.Select(l => l.AmountMinorUnits));
        Assert.Equal(10_000, invoice.Total);
    }

    [Fact]
    public void WaivesANegativeSubtotalInsteadOfOwingTheCustomer()
    {
        // Two sub-cent charges round to 0 each, while their cap adjustment rounds to −0.01.
        var invoice = Calculate(
        [
            Charge(0.004m),
            Charge(0.004m),
            new InvoiceLineInput(InvoiceLineKind.CapAdjustment, "hard cap", -0.008m),
        ], [Grant("g", 100, null)], taxRate: 0.2m);

        Assert.Equal(-1, invoice.Subtotal);
        Assert.Equal(0, invoice.CreditsApplied);
        Assert.Equal(0, invoice.Tax);
        Assert.Equal(0, invoice.Total);
        Assert.Equal(1, invoice.WaivedNegativeBalance);
    }

    [Fact]
    public void RefusesNegativeLinesOtherThanCapAdjustments() =>
        Assert.Throws<ArgumentException>(() => Calculate([Charge(-1m)]));

    [Theory]
    [InlineData("20")]
    [InlineData("-0.1")]
    public void RefusesATaxRateOutsideZeroToOne(string rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Calculate([Charge(1m)], taxRate: decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void RoundsZeroDecimalCurrenciesToWholeUnits()
    {
        var invoice = InvoiceCalculator.Calculate(new InvoiceInput(
            Currency.FromCode("JPY"), [Charge(1234.5m)], [], 0.1m, Now));

        Assert.Equal(1235, invoice.Subtotal);
        Assert.Equal(124, invoice.Tax); // 123.5 → 124
        Assert.Equal(1359, invoice.Total);
    }

    private static InvoiceLineInput Charge(decimal amount) => new(InvoiceLineKind.Charge, "usage", amount);

    private static CreditGrantBalance Grant(string id, long available, DateTimeOffset? expiresAt) => new(id, available, expiresAt);

    private static InvoiceTotals Calculate(
        IReadOnlyList<InvoiceLineInput> lines, IReadOnlyList<CreditGrantBalance>? grants = null, decimal taxRate = 0m) =>
        InvoiceCalculator.Calculate(new InvoiceInput(Usd, lines, grants ?? [], taxRate, Now));
}
