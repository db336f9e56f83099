namespace UsagePortal.Pricing;

/// <summary>
/// <c>package</c>: paid units = units − freeUnits; when that is ≤ 0 nothing is due, otherwise every
/// started package is paid: <c>ceil(paid / packageSize) × amount</c> (121 units in packages of 10 = 13).
/// </summary>
public sealed class PackageStrategy : PricingStrategy
{
    private readonly PackageProperties properties;

    internal PackageStrategy(PackageProperties properties) => this.properties = properties;

    /// <inheritdoc />
    public override ChargeModel Model => ChargeModel.Package;

    /// <inheritdoc />
    protected override PriceResult Compute(Usage usage)
    {
        var rows = new List<BreakdownRow>();
        var freeUnits = Math.Min(usage.Units, properties.FreeUnits);
        if (properties.FreeUnits > 0)
        {
            rows.Add(new BreakdownRow { Kind = BreakdownKind.Free, Units = freeUnits, Amount = 0m });
        }

        var paidUnits = usage.Units - properties.FreeUnits;
        if (paidUnits > 0)
        {
            var packages = StartedPackages(paidUnits, properties.PackageSize);
            rows.Add(new BreakdownRow
            {
                Kind = BreakdownKind.Packages,
                Units = paidUnits,
                PackageCount = packages,
                PerUnitAmount = properties.Amount,
                Amount = packages * properties.Amount,
            });
        }

        return PriceResult.FromRows(rows);
    }

    /// <summary>
    /// Exact ceiling of paid / size. Decimal division keeps 28 significant digits, so a quotient
    /// just below a whole number could round up to it; the product checks below settle the count
    /// with exact multiplication instead of trusting the division.
    /// </summary>
    internal static long StartedPackages(decimal paidUnits, decimal packageSize)
    {
        var count = decimal.Floor(paidUnits / packageSize);
        while (count * packageSize > paidUnits)
        {
            count--;
        }

        while ((count + 1) * packageSize <= paidUnits)
        {
            count++;
        }

        if (count * packageSize < paidUnits)
        {
            count++;
        }

        return decimal.ToInt64(count);
    }
}
