using System.Globalization;

namespace UsagePortal.Pricing;

/// <summary>
/// The semantic rules of charge properties (PRODUCT.md, "Charge JSON"): no negative prices,
/// a package size above zero, min ≤ max, and ranges that start at 0, follow each other without
/// overlap or gap, are non-empty, and end with exactly one unbounded range. The JSON parser applies
/// the same rules to whatever it could read, so a request gets every error at once.
/// </summary>
public static class ChargeValidator
{
    /// <summary>Field path under which the model's properties live.</summary>
    public const string PropertiesPath = "properties";

    /// <summary>Returns every rule the properties break (empty when they are valid).</summary>
    public static IReadOnlyList<ValidationError> Validate(ChargeProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var errors = new List<ValidationError>();
        switch (properties)
        {
            case StandardProperties p:
                NonNegative(errors, Field("unitAmount"), p.UnitAmount);
                break;
            case PackageProperties p:
                CheckPackage(errors, p.Amount, p.PackageSize, p.FreeUnits);
                break;
            case PercentageProperties p:
                CheckPercentage(errors, p.Rate, p.FixedAmount, p.FreeUnitsPerEvents, p.FreeUnitsPerTotalAggregation,
                    p.PerTransactionMinAmount, p.PerTransactionMaxAmount);
                break;
            case GraduatedProperties p:
                CheckPriceRanges(errors, p.Ranges);
                break;
            case VolumeProperties p:
                CheckPriceRanges(errors, p.Ranges);
                break;
            case GraduatedPercentageProperties p:
                CheckPercentageRanges(errors, p.Ranges);
                break;
            default:
                throw new ArgumentException($"Unsupported properties type {properties.GetType().Name}.", nameof(properties));
        }

        return errors;
    }

    internal static string Field(string name) => $"{PropertiesPath}.{name}";

    internal static string RangesPath => Field("ranges");

    internal static string RangeField(int index, string name) => $"{RangesPath}[{index}].{name}";

    internal static void NonNegative(List<ValidationError> errors, string field, decimal? value)
    {
        if (value < 0)
        {
            errors.Add(new(field, "must not be negative"));
        }
    }

    internal static void CheckPackage(List<ValidationError> errors, decimal? amount, decimal? packageSize, decimal? freeUnits)
    {
        NonNegative(errors, Field("amount"), amount);
        if (packageSize <= 0)
        {
            errors.Add(new(Field("packageSize"), "must be greater than zero"));
        }

        NonNegative(errors, Field("freeUnits"), freeUnits);
    }

    internal static void CheckPercentage(
        List<ValidationError> errors, decimal? rate, decimal? fixedAmount, long? freeUnitsPerEvents,
        decimal? freeUnitsPerTotalAggregation, decimal? minAmount, decimal? maxAmount)
    {
        NonNegative(errors, Field("rate"), rate);
        NonNegative(errors, Field("fixedAmount"), fixedAmount);
        if (freeUnitsPerEvents < 0)
        {
            errors.Add(new(Field("freeUnitsPerEvents"), "must not be negative"));
        }

        NonNegative(errors, Field("freeUnitsPerTotalAggregation"), freeUnitsPerTotalAggregation);
        NonNegative(errors, Field("perTransactionMinAmount"), minAmount);
        NonNegative(errors, Field("perTransactionMaxAmount"), maxAmount);
        if (minAmount > maxAmount)
        {
            errors.Add(new(Field("perTransactionMinAmount"),
                $"must not be greater than perTransactionMaxAmount ({Format(maxAmount!.Value)})"));
        }
    }

    private static void CheckPriceRanges(List<ValidationError> errors, IReadOnlyList<PriceRange>? ranges)
    {
        ranges ??= [];
        for (var i = 0; i < ranges.Count; i++)
        {
            NonNegative(errors, RangeField(i, "perUnitAmount"), ranges[i].PerUnitAmount);
            NonNegative(errors, RangeField(i, "flatAmount"), ranges[i].FlatAmount);
        }

        CheckRangeBounds(errors, [.. ranges.Select(RangeBounds.Of)]);
    }

    private static void CheckPercentageRanges(List<ValidationError> errors, IReadOnlyList<PercentageRange>? ranges)
    {
        ranges ??= [];
        for (var i = 0; i < ranges.Count; i++)
        {
            NonNegative(errors, RangeField(i, "rate"), ranges[i].Rate);
            NonNegative(errors, RangeField(i, "flatAmount"), ranges[i].FlatAmount);
        }

        CheckRangeBounds(errors, [.. ranges.Select(RangeBounds.Of)]);
    }

    /// <summary>
    /// Checks how ranges follow each other. A bound that could not be read is <c>Known = false</c>
    /// and every comparison that needs it is skipped, so one typo does not hide or fake other errors.
    /// </summary>
    internal static void CheckRangeBounds(List<ValidationError> errors, IReadOnlyList<RangeBounds> ranges)
    {
        if (ranges.Count == 0)
        {
            errors.Add(new(RangesPath, "must contain at least one range"));
            return;
        }

        // The band of range k starts at the previous range's top; the first band starts at 0.
        decimal? previousTop = 0m;
        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            var isLast = i == ranges.Count - 1;
            CheckFromValue(errors, i, range.FromValue, previousTop);

            if (!range.ToValueKnown)
            {
                previousTop = null;
                continue;
            }

            if (range.ToValue is not { } top)
            {
                if (!isLast)
                {
                    errors.Add(new(RangeField(i, "toValue"), "only the last range may be unbounded (toValue null)"));
                }

                previousTop = null;
                continue;
            }

            if (isLast)
            {
                errors.Add(new(RangeField(i, "toValue"), "the last range must be unbounded: toValue must be null"));
            }

            if (previousTop is { } bottom && top <= bottom)
            {
                errors.Add(new(RangeField(i, "toValue"), i == 0
                    ? "must be greater than 0: the range would be empty"
                    : $"must be greater than the previous range's toValue ({Format(bottom)}): ranges must be in ascending order and not empty"));
            }
            else if (range.FromValue is { } from && top < from)
            {
                errors.Add(new(RangeField(i, "toValue"), $"must not be less than fromValue ({Format(from)})"));
            }

            previousTop = top;
        }
    }

    private static void CheckFromValue(List<ValidationError> errors, int index, decimal? from, decimal? previousTop)
    {
        if (from is not { } value || previousTop is not { } top)
        {
            return;
        }

        var field = RangeField(index, "fromValue");
        if (index == 0)
        {
            if (value != 0)
            {
                errors.Add(new(field, "the first range must start at 0"));
            }

            return;
        }

        var integerStyleStart = top + 1;
        if (value < top)
        {
            errors.Add(new(field, $"overlaps the previous range, which ends at {Format(top)}"));
        }
        else if (value > integerStyleStart)
        {
            errors.Add(new(field,
                $"leaves a gap after the previous range, which ends at {Format(top)}; expected {Format(top)} or {Format(integerStyleStart)}"));
        }
        else if (value != top && value != integerStyleStart)
        {
            errors.Add(new(field,
                $"must be {Format(top)} (adjacent style) or {Format(integerStyleStart)} (integer style) after a range ending at {Format(top)}"));
        }
    }

    internal static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The bounds of one range as far as they could be read.</summary>
/// <param name="FromValue">Start as written; <c>null</c> when unreadable.</param>
/// <param name="ToValue">Top; <c>null</c> means unbounded when <paramref name="ToValueKnown"/>.</param>
/// <param name="ToValueKnown">False when the top could not be read.</param>
internal readonly record struct RangeBounds(decimal? FromValue, decimal? ToValue, bool ToValueKnown)
{
    public static RangeBounds Of(IRange range) => new(range.FromValue, range.ToValue, true);
}
