namespace UsagePortal.Pricing.Tests;

public class RecurringFeeProration
{
    [Fact]
    public void ChargesTheFractionOfThePeriodThatIsBilled() =>
        Assert.Equal(50m, RecurringFee.Prorate(100m, billedDays: 15m, periodDays: 30m));

    [Fact]
    public void AcceptsPartDays() =>
        Assert.Equal(25m, RecurringFee.Prorate(100m, billedDays: 7.5m, periodDays: 30m));

    [Fact]
    public void LeavesAFullPeriodUnchanged() =>
        Assert.Equal(99.99m, RecurringFee.Prorate(99.99m, billedDays: 31m, periodDays: 31m));

    [Fact]
    public void KeepsTheExactFractionForTheInvoiceToRound()
    {
        var fee = RecurringFee.Prorate(100m, billedDays: 16m, periodDays: 31m);

        Assert.Equal(5161, Currency.FromCode("EUR").RoundToMinorUnits(fee));
        Assert.NotEqual(51.61m, fee);
    }

    [Fact]
    public void RefusesMoreBilledDaysThanThePeriodHas() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurringFee.Prorate(100m, billedDays: 32m, periodDays: 31m));
}

public class FreeAllowances
{
    [Fact]
    public void ReducesUnitsByTheAllowanceBeforePricing()
    {
        Assert.Equal(70m, FreeAllowance.BillableUnits(100m, 30m));
        Assert.Equal(30m, FreeAllowance.FreeUnits(100m, 30m));
    }

    [Fact]
    public void NeverLeavesNegativeUnits()
    {
        Assert.Equal(0m, FreeAllowance.BillableUnits(20m, 30m));
        Assert.Equal(20m, FreeAllowance.FreeUnits(20m, 30m));
    }
}

public class MinimumCommitments
{
    private static readonly Currency Usd = Currency.FromCode("USD");

    [Fact]
    public void AddsATrueUpUpToTheCommitment() =>
        Assert.Equal(40m, MinimumCommitment.TrueUp(Usd, 100m, [25m, 35m]));

    [Fact]
    public void AddsNothingWhenChargesReachTheCommitment()
    {
        Assert.Equal(0m, MinimumCommitment.TrueUp(Usd, 100m, [60m, 40m]));
        Assert.Equal(0m, MinimumCommitment.TrueUp(Usd, 100m, [150m]));
    }

    [Fact]
    public void ComparesTheCommitmentWithTheRoundedLinesTheInvoiceWillShow()
    {
        var charges = new[] { 33.333m, 33.333m, 33.333m };

        var trueUp = MinimumCommitment.TrueUp(Usd, 100m, charges);

        Assert.Equal(0.01m, trueUp);
        var invoice = InvoiceCalculator.Calculate(new InvoiceInput(
            Usd,
            [.. charges.Select(c => new InvoiceLineInput(InvoiceLineKind.Charge, "api", c)),
                new InvoiceLineInput(InvoiceLineKind.MinimumCommitmentTrueUp, "true-up", trueUp)],
            [],
            0m,
            DateTimeOffset.UnixEpoch));
        Assert.Equal(10_000, invoice.Subtotal);
    }
}
