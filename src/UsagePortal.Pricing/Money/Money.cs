namespace UsagePortal.Pricing;

/// <summary>
/// A rounded amount of money: whole minor units of one currency, the way amounts are stored
/// and sent to Stripe. Exact, unrounded amounts stay <see cref="decimal"/> until an invoice line
/// turns them into <see cref="Money"/> with <see cref="RoundFrom"/>.
/// </summary>
public readonly record struct Money(long MinorUnits, Currency Currency)
{
    /// <summary>Rounds an exact amount once, with the product's rule (<see cref="Currency.RoundToMinorUnits"/>).</summary>
    public static Money RoundFrom(decimal exactAmount, Currency currency) =>
        new(currency.RoundToMinorUnits(exactAmount), currency);

    /// <summary>Zero in the given currency.</summary>
    public static Money Zero(Currency currency) => new(0, currency);

    /// <summary>The amount in currency units (12.34 for 1234 cents).</summary>
    public decimal Amount => Currency.FromMinorUnits(MinorUnits);

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <exception cref="InvalidOperationException">The currencies differ.</exception>
    public static Money operator +(Money left, Money right) =>
        new(checked(left.MinorUnits + SameCurrency(left, right).MinorUnits), left.Currency);

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <exception cref="InvalidOperationException">The currencies differ.</exception>
    public static Money operator -(Money left, Money right) =>
        new(checked(left.MinorUnits - SameCurrency(left, right).MinorUnits), left.Currency);

    /// <summary>Plain decimal string in currency units ("12.34"), as the API returns amounts.</summary>
    public string ToDecimalString() => Currency.FormatMinorUnits(MinorUnits);

    /// <summary>"12.34 EUR".</summary>
    public override string ToString() => $"{ToDecimalString()} {Currency.Code}";

    private static Money SameCurrency(Money left, Money right) =>
        left.Currency == right.Currency
            ? right
            : throw new InvalidOperationException($"Cannot combine {left.Currency} and {right.Currency} amounts.");
}
