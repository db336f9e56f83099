namespace UsagePortal.Pricing;

/// <summary>The graduated band walk shared by <c>graduated</c> and <c>graduated_percentage</c>.</summary>
internal static class Bands
{
    /// <summary>
    /// Yields every reached range with the units inside its band (previous top, own top].
    /// The first range is always reached, even with 0 units, so its flat amount is always due;
    /// range k &gt; 1 is reached as soon as units exceed the previous top, by any fraction.
    /// </summary>
    public static IEnumerable<(T Range, decimal UnitsInRange)> Reached<T>(IReadOnlyList<T> ranges, decimal units)
        where T : IRange
    {
        var bottom = 0m;
        for (var i = 0; i < ranges.Count; i++)
        {
            if (i > 0 && units <= bottom)
            {
                yield break;
            }

            var range = ranges[i];
            var top = range.ToValue;
            var unitsInRange = (top is { } t ? Math.Min(units, t) : units) - bottom;
            yield return (range, Math.Max(unitsInRange, 0m));

            if (top is not { } nextBottom)
            {
                yield break;
            }

            bottom = nextBottom;
        }
    }
}
