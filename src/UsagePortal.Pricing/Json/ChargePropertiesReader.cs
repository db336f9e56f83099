using System.Text.Json;

namespace UsagePortal.Pricing;

/// <summary>
/// Reads each model's properties, then applies <see cref="ChargeValidator"/>'s rules to what could be
/// read, so that type errors and rule errors come back together.
/// </summary>
internal static class ChargePropertiesReader
{
    public static ChargeProperties? Read(ChargeModel model, JsonObjectReader reader, List<ValidationError> errors)
    {
        var before = errors.Count;
        ChargeProperties? properties = model switch
        {
            ChargeModel.Standard => ReadStandard(reader, errors),
            ChargeModel.Graduated => ReadPriceRanges(reader, errors, "the graduated model") is { } ranges
                ? new GraduatedProperties(ranges)
                : null,
            ChargeModel.Volume => ReadPriceRanges(reader, errors, "the volume model") is { } ranges
                ? new VolumeProperties(ranges)
                : null,
            ChargeModel.Package => ReadPackage(reader, errors),
            ChargeModel.Percentage => ReadPercentage(reader, errors),
            ChargeModel.GraduatedPercentage => ReadPercentageRanges(reader, errors) is { } ranges
                ? new GraduatedPercentageProperties(ranges)
                : null,
            _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown charge model."),
        };

        return errors.Count == before ? properties : null;
    }

    private static StandardProperties? ReadStandard(JsonObjectReader reader, List<ValidationError> errors)
    {
        reader.RejectUnknown("the standard model", "unitAmount");
        var unitAmount = reader.RequiredDecimal("unitAmount");
        ChargeValidator.NonNegative(errors, ChargeValidator.Field("unitAmount"), unitAmount);
        return unitAmount is { } value ? new StandardProperties(value) : null;
    }

    private static PackageProperties? ReadPackage(JsonObjectReader reader, List<ValidationError> errors)
    {
        reader.RejectUnknown("the package model", "amount", "packageSize", "freeUnits");
        var amount = reader.RequiredDecimal("amount");
        var packageSize = reader.RequiredDecimal("packageSize");
        var freeUnits = reader.OptionalDecimal("freeUnits") ?? 0m;
        ChargeValidator.CheckPackage(errors, amount, packageSize, freeUnits);
        return amount is { } a && packageSize is { } s ? new PackageProperties(a, s, freeUnits) : null;
    }

    private static PercentageProperties? ReadPercentage(JsonObjectReader reader, List<ValidationError> errors)
    {
        reader.RejectUnknown("the percentage model",
            "rate", "fixedAmount", "freeUnitsPerEvents", "freeUnitsPerTotalAggregation",
            "perTransactionMinAmount", "perTransactionMaxAmount");
        var rate = reader.RequiredDecimal("rate");
        var fixedAmount = reader.OptionalDecimal("fixedAmount");
        var freeEvents = reader.OptionalWholeNumber("freeUnitsPerEvents");
        var freeAmount = reader.OptionalDecimal("freeUnitsPerTotalAggregation");
        var min = reader.OptionalDecimal("perTransactionMinAmount");
        var max = reader.OptionalDecimal("perTransactionMaxAmount");
        ChargeValidator.CheckPercentage(errors, rate, fixedAmount, freeEvents, freeAmount, min, max);
        return rate is { } r ? new PercentageProperties(r, fixedAmount, freeEvents, freeAmount, min, max) : null;
    }

    private static List<PriceRange>? ReadPriceRanges(JsonObjectReader reader, List<ValidationError> errors, string modelDescription)
    {
        reader.RejectUnknown(modelDescription, "ranges");
        return ReadRanges<PriceRange>(reader, errors, (range, index, bounds) =>
        {
            range.RejectUnknown("a range", "fromValue", "toValue", "perUnitAmount", "flatAmount");
            var perUnitAmount = range.RequiredDecimal("perUnitAmount");
            var flatAmount = range.OptionalDecimal("flatAmount") ?? 0m;
            ChargeValidator.NonNegative(errors, ChargeValidator.RangeField(index, "perUnitAmount"), perUnitAmount);
            ChargeValidator.NonNegative(errors, ChargeValidator.RangeField(index, "flatAmount"), flatAmount);
            return bounds is { FromValue: { } from, ToValueKnown: true } && perUnitAmount is { } price
                ? new PriceRange(from, bounds.ToValue, price, flatAmount)
                : null;
        });
    }

    private static List<PercentageRange>? ReadPercentageRanges(JsonObjectReader reader, List<ValidationError> errors)
    {
        reader.RejectUnknown("the graduated_percentage model", "ranges");
        return ReadRanges<PercentageRange>(reader, errors, (range, index, bounds) =>
        {
            range.RejectUnknown("a range", "fromValue", "toValue", "rate", "flatAmount");
            var rate = range.RequiredDecimal("rate");
            var flatAmount = range.OptionalDecimal("flatAmount") ?? 0m;
            ChargeValidator.NonNegative(errors, ChargeValidator.RangeField(index, "rate"), rate);
            ChargeValidator.NonNegative(errors, ChargeValidator.RangeField(index, "flatAmount"), flatAmount);
            return bounds is { FromValue: { } from, ToValueKnown: true } && rate is { } r
                ? new PercentageRange(from, bounds.ToValue, r, flatAmount)
                : null;
        });
    }

    /// <summary>
    /// Reads the <c>ranges</c> array: the bounds of every element (so ordering rules are checked even
    /// when a price is unreadable) and, through <paramref name="readRange"/>, the model's own fields.
    /// Returns the ranges only when every one of them could be built.
    /// </summary>
    private static List<T>? ReadRanges<T>(
        JsonObjectReader reader,
        List<ValidationError> errors,
        Func<JsonObjectReader, int, RangeBounds, T?> readRange)
        where T : class
    {
        if (reader.Element("ranges", required: true) is not { } array)
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new(ChargeValidator.RangesPath, "must be an array of ranges"));
            return null;
        }

        var bounds = new List<RangeBounds>();
        var ranges = new List<T>();
        var complete = true;
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var path = $"{ChargeValidator.RangesPath}[{index}]";
            var range = JsonObjectReader.For(element, path, errors);
            var rangeBounds = range is null
                ? new RangeBounds(null, null, ToValueKnown: false)
                : ReadBounds(range);
            bounds.Add(rangeBounds);

            if (range is not null && readRange(range, index, rangeBounds) is { } built)
            {
                ranges.Add(built);
            }
            else
            {
                complete = false;
            }

            index++;
        }

        ChargeValidator.CheckRangeBounds(errors, bounds);
        return complete ? ranges : null;
    }

    private static RangeBounds ReadBounds(JsonObjectReader range)
    {
        var from = range.RequiredDecimal("fromValue");
        var (toKnown, to) = range.NullableDecimal("toValue");
        return new RangeBounds(from, to, toKnown);
    }
}
