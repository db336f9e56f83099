namespace UsagePortal.Pricing;

/// <summary>A plan's free allowance: units given away before the charge's model prices the rest.</summary>
public static class FreeAllowance
{
    /// <summary>Units left to price: <c>max(0, units − allowance)</c>.</summary>
    public static decimal BillableUnits(decimal units, decimal allowance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        ArgumentOutOfRangeException.ThrowIfNegative(allowance);
        return Math.Max(0m, units - allowance);
    }

    /// <summary>Units the allowance covered: <c>min(units, allowance)</c>, for the invoice's free line.</summary>
    public static decimal FreeUnits(decimal units, decimal allowance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        ArgumentOutOfRangeException.ThrowIfNegative(allowance);
        return Math.Min(units, allowance);
    }
}
