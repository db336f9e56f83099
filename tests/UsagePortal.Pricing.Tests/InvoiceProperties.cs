using FsCheck;
using FsCheck.Fluent;

namespace UsagePortal.Pricing.Tests;

public class InvoiceProperties
{
    [Fact]
    public void TotalIsTheRoundedLinesMinusCreditsPlusTax() =>
        Prop.ForAll(Generators.Invoices.ToArbitrary(), input =>
        {
            var invoice = InvoiceCalculator.Calculate(input);

            Assert.Equal(invoice.Lines.Sum(l => l.AmountMinorUnits), invoice.Subtotal);
            Assert.Equal(invoice.Subtotal - invoice.CreditsApplied + invoice.Tax + invoice.WaivedNegativeBalance, invoice.Total);
            if (invoice.Subtotal >= 0)
            {
                Assert.Equal(0, invoice.WaivedNegativeBalance);
                Assert.Equal(invoice.Subtotal - invoice.CreditsApplied + invoice.Tax, invoice.Total);
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void EveryLineIsRoundedExactlyOnce() =>
        Prop.ForAll(Generators.Invoices.ToArbitrary(), input =>
        {
            var invoice = InvoiceCalculator.Calculate(input);
            var currency = input.Currency;

            Assert.Equal(input.Lines, invoice.Lines.Select(l => l.Line));
            foreach (var line in invoice.Lines)
            {
                Assert.Equal(currency.RoundToMinorUnits(line.Line.ExactAmount), line.AmountMinorUnits);
                Assert.Equal(line.AmountMinorUnits, currency.RoundToMinorUnits(currency.FromMinorUnits(line.AmountMinorUnits)));
                Assert.True(Math.Abs(currency.FromMinorUnits(line.AmountMinorUnits) - line.Line.ExactAmount) <= currency.FromMinorUnits(1) / 2);
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void CreditsNeverMakeTheTotalNegative() =>
        Prop.ForAll(Generators.Invoices.ToArbitrary(), input =>
        {
            var invoice = InvoiceCalculator.Calculate(input);
            var usable = input.CreditGrants.Where(g => g.ExpiresAt is not { } expiry || expiry > input.AsOf).Sum(g => g.AvailableMinorUnits);

            Assert.True(invoice.Total >= 0);
            Assert.Equal(Math.Min(Math.Max(invoice.Subtotal, 0), usable), invoice.CreditsApplied);
            Assert.Equal(invoice.CreditsApplied, invoice.CreditConsumptions.Sum(c => c.ConsumedMinorUnits));
            foreach (var consumption in invoice.CreditConsumptions)
            {
                var grant = input.CreditGrants.First(g => g.GrantId == consumption.GrantId && g.AvailableMinorUnits == consumption.ConsumedMinorUnits + consumption.RemainingMinorUnits);
                Assert.True(consumption.ConsumedMinorUnits > 0);
                Assert.True(grant.ExpiresAt is not { } expiry || expiry > input.AsOf);
            }
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void TaxIsTheRateOfTheAmountAfterCreditsWithinHalfAMinorUnit() =>
        Prop.ForAll(Generators.Invoices.ToArbitrary(), input =>
        {
            var invoice = InvoiceCalculator.Calculate(input);
            var currency = input.Currency;
            var exactTax = currency.FromMinorUnits(Math.Max(0, invoice.Subtotal - invoice.CreditsApplied)) * input.TaxRate;

            Assert.True(Math.Abs(currency.FromMinorUnits(invoice.Tax) - exactTax) <= currency.FromMinorUnits(1) / 2);
        }).QuickCheckThrowOnFailure();
}
