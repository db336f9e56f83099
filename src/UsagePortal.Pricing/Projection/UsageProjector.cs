namespace UsagePortal.Pricing;

/// <summary>One complete past day's quantity of a meter (or of one group of it), the day taken in the billing time zone.</summary>
/// <param name="Date">The local date.</param>
/// <param name="Quantity">The meter's quantity over that whole day (0 for a day without usage).</param>
public readonly record struct DailyQuantity(DateOnly Date, decimal Quantity);

/// <summary>A day, or the rest of one, still ahead in the period.</summary>
/// <param name="Date">The local date in the billing time zone.</param>
/// <param name="Fraction">
/// How much of that day the period still covers: 1 for a whole day; less for today (the rest of it) or for a last day
/// the period ends part-way through. Above 0, at most 1.
/// </param>
public readonly record struct RemainingDay(DateOnly Date, decimal Fraction);

/// <summary>What a projection of remaining usage was based on.</summary>
public enum ProjectionBasis
{
    /// <summary>
    /// The aggregation is not additive (max, latest, unique_count): a day's usage does not add to the period's, so the
    /// period's quantity is projected to stay where it is and nothing remains to add.
    /// </summary>
    NotAdditive,

    /// <summary>No complete past day to learn a pace from: nothing more is expected.</summary>
    NoHistory,

    /// <summary>The mean of the recent daily quantities, the same for every remaining day.</summary>
    RecentMean,

    /// <summary>The mean of each weekday's recent quantities, used when the history holds every weekday at least twice.</summary>
    WeekdayMeans,

    /// <summary>
    /// A non-additive meter (max, latest, unique_count) with no usage yet this period: projected at the level it reached in
    /// the previous period rather than at zero.
    /// </summary>
    PreviousPeriod,
}

/// <summary>Usage expected from now to the end of <see cref="Date"/> (cumulative over the remaining days up to it), with its band.</summary>
/// <param name="Date">The last remaining day counted.</param>
/// <param name="Expected">The expected remaining usage through that day; never negative.</param>
/// <param name="Low">The band's lower edge; 0 ≤ Low ≤ Expected.</param>
/// <param name="High">The band's upper edge; Expected ≤ High.</param>
public sealed record ProjectedDay(DateOnly Date, decimal Expected, decimal Low, decimal High);

/// <summary>The usage expected over the rest of a period, day by day (cumulative), with an 80 % band.</summary>
/// <param name="Basis">What the projection was based on.</param>
/// <param name="DailyRate">The mean daily quantity of the history (before any weekday split); 0 without history or when not additive.</param>
/// <param name="StandardDeviation">The sample standard deviation of the daily quantities that sets the band's width.</param>
/// <param name="Days">One entry per remaining day, in order; each is cumulative from now.</param>
public sealed record UsageProjection(ProjectionBasis Basis, decimal DailyRate, decimal StandardDeviation, IReadOnlyList<ProjectedDay> Days)
{
    /// <summary>The expected remaining usage to the end of the period.</summary>
    public decimal Expected => Days.Count == 0 ? 0m : Days[^1].Expected;

    /// <summary>The band's lower edge at the end of the period.</summary>
    public decimal Low => Days.Count == 0 ? 0m : Days[^1].Low;

    /// <summary>The band's upper edge at the end of the period.</summary>
    public decimal High => Days.Count == 0 ? 0m : Days[^1].High;

    /// <summary>
    /// The remaining usage expected from now through the end of <paramref name="date"/>: zeros before the first remaining
    /// day, the whole projection after the last.
    /// </summary>
    public ProjectedDay Through(DateOnly date)
    {
        ProjectedDay? reached = null;
        foreach (var day in Days)
        {
            if (day.Date > date)
            {
                break;
            }

            reached = day;
        }

        return reached ?? new ProjectedDay(date, 0m, 0m, 0m);
    }
}

/// <summary>
/// Projects how much more a meter will count before its period ends, from its recent daily quantities. A pure function:
/// the caller reads the history (complete past days in the billing zone) and prices the projected quantity through the
/// real plan, because tiers make cost non-linear in usage.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Only the most recent <see cref="HistoryDays"/> days of the history are used.</item>
/// <item>The expected usage of a remaining day is its fraction × a daily rate: the mean of the history's quantities, or,
/// when the history holds every weekday at least twice (<see cref="WeekdayHistoryDays"/> consecutive days do), the mean of
/// the quantities of that day's weekday. A negative rate (a summed meter with credits) counts as 0: nothing negative is
/// projected.</item>
/// <item>The band after r remaining days (fractions summed) is expected ∓ <see cref="BandZ"/> × σ × √(r + r²/n), with σ the
/// sample standard deviation of the n history days (0 with fewer than two days; with weekday means, around each weekday's
/// mean, and r²/n summed per weekday over its own days): an 80 % prediction band if days vary independently around a
/// rate that is itself estimated from the history. Without the r²/n term the band ignored the rate's own error and held
/// the final quantity in only 68 % of backtested periods (<c>ProjectionBacktest</c>); with σ around the overall mean,
/// weekday-aware projections held it in 94 %. The lower edge is floored at 0, so that no less than nothing is expected
/// to remain.</item>
/// <item>With no history nothing is expected (0, a band of width 0): the pace is unknown, and the period's quantity so far
/// is then the projection.</item>
/// <item>For a non-additive aggregation (max, latest, unique_count) the projected period quantity is the current quantity:
/// the remaining usage is 0 with a band of width 0.</item>
/// </list>
/// </remarks>
public static class UsageProjector
{
    /// <summary>The normal quantile of a two-sided 80 % band (10 % either side).</summary>
    public const decimal BandZ = 1.2816m;

    /// <summary>At most this many of the most recent days are used.</summary>
    public const int HistoryDays = 28;

    /// <summary>Days of history from which the projection is weekday-aware (when every weekday occurs at least twice).</summary>
    public const int WeekdayHistoryDays = 14;

    /// <summary>Projects the usage still to come over <paramref name="remaining"/>.</summary>
    /// <param name="history">Complete past days, any order, each date at most once; days without usage should be given as 0.</param>
    /// <param name="remaining">The remaining days in order (today first, with the fraction of it left).</param>
    /// <param name="additive">True for count and sum meters; false for max, latest and unique_count.</param>
    /// <exception cref="ArgumentException">A date repeats, the remaining days are out of order, or a fraction is outside (0, 1].</exception>
    public static UsageProjection ProjectRemaining(IReadOnlyList<DailyQuantity> history, IReadOnlyList<RemainingDay> remaining, bool additive)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(remaining);
        Validate(history, remaining);

        var recent = history.OrderByDescending(d => d.Date).Take(HistoryDays).ToList();
        if (!additive || recent.Count == 0)
        {
            var basis = additive ? ProjectionBasis.NoHistory : ProjectionBasis.NotAdditive;
            return new UsageProjection(basis, 0m, 0m, [.. remaining.Select(d => new ProjectedDay(d.Date, 0m, 0m, 0m))]);
        }

        var mean = recent.Sum(d => d.Quantity) / recent.Count;
        var byWeekday = WeekdayMeans(recent);
        var deviation = byWeekday is null ? StandardDeviation(recent) : WeekdayDeviation(recent, byWeekday);
        var samples = new int[7];
        foreach (var day in recent)
        {
            samples[(int)day.Date.DayOfWeek]++;
        }

        var days = new List<ProjectedDay>(remaining.Count);
        var expected = 0m;
        var elapsed = 0m;
        var ahead = new decimal[7];
        foreach (var day in remaining)
        {
            var weekday = (int)day.Date.DayOfWeek;
            var rate = byWeekday is null ? mean : byWeekday[weekday];
            expected += Math.Max(rate, 0m) * day.Fraction;
            elapsed += day.Fraction;
            ahead[weekday] += day.Fraction;
            // The days ahead vary around the rate (elapsed × σ²), and the rate itself is only estimated from the history:
            // from n days, its error adds elapsed² × σ² / n (per weekday, that weekday's days ahead² × σ² / its count).
            var rateError = byWeekday is null
                ? elapsed * elapsed / recent.Count
                : Enumerable.Range(0, 7).Where(w => ahead[w] > 0m).Sum(w => ahead[w] * ahead[w] / samples[w]);
            var margin = BandZ * deviation * SquareRoot(elapsed + rateError);
            days.Add(new ProjectedDay(day.Date, expected, Math.Max(expected - margin, 0m), expected + margin));
        }

        return new UsageProjection(byWeekday is null ? ProjectionBasis.RecentMean : ProjectionBasis.WeekdayMeans, mean, deviation, days);
    }

    /// <summary>
    /// The projection of a non-additive meter that has no usage yet this period: it reaches <paramref name="level"/> (its
    /// previous period's quantity) on the first remaining day and stays there. One past period gives no spread, so the
    /// band has width 0; a meter that used to count something is not silently projected at nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The level is negative, the remaining days are out of order, or a fraction is outside (0, 1].</exception>
    public static UsageProjection ProjectLevel(decimal level, IReadOnlyList<RemainingDay> remaining)
    {
        ArgumentNullException.ThrowIfNull(remaining);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        Validate([], remaining);
        return new UsageProjection(ProjectionBasis.PreviousPeriod, 0m, 0m, [.. remaining.Select(d => new ProjectedDay(d.Date, level, level, level))]);
    }

    /// <summary>The mean quantity per weekday (indexed by <see cref="DayOfWeek"/>), or null when some weekday occurs fewer than twice.</summary>
    private static decimal[]? WeekdayMeans(IReadOnlyList<DailyQuantity> recent)
    {
        if (recent.Count < WeekdayHistoryDays)
        {
            return null;
        }

        var sums = new decimal[7];
        var counts = new int[7];
        foreach (var day in recent)
        {
            sums[(int)day.Date.DayOfWeek] += day.Quantity;
            counts[(int)day.Date.DayOfWeek]++;
        }

        return counts.All(c => c >= 2) ? [.. sums.Select((sum, weekday) => sum / counts[weekday])] : null;
    }

    /// <summary>
    /// The sample standard deviation. It only sets the band's width, so it is computed in binary floating point (no exact
    /// decimal square root exists) and brought back to decimal; the expected usage itself stays exact.
    /// </summary>
    private static decimal StandardDeviation(IReadOnlyList<DailyQuantity> recent)
    {
        if (recent.Count < 2)
        {
            return 0m;
        }

        var mean = recent.Average(d => (double)d.Quantity);
        var variance = recent.Sum(d => Math.Pow((double)d.Quantity - mean, 2)) / (recent.Count - 1);
        return ToDecimal(Math.Sqrt(variance));
    }

    /// <summary>
    /// The pooled sample standard deviation of the days around their own weekday's mean: with weekday means, the spread
    /// between weekdays is already in the rates and must not widen the band again.
    /// </summary>
    private static decimal WeekdayDeviation(IReadOnlyList<DailyQuantity> recent, decimal[] byWeekday)
    {
        var squares = recent.Sum(d => Math.Pow((double)(d.Quantity - byWeekday[(int)d.Date.DayOfWeek]), 2));
        return ToDecimal(Math.Sqrt(squares / (recent.Count - 7)));
    }

    private static decimal SquareRoot(decimal value) => ToDecimal(Math.Sqrt((double)value));

    private static decimal ToDecimal(double value) =>
        double.IsFinite(value) && value < (double)decimal.MaxValue / 1e6 ? (decimal)value : decimal.MaxValue / 1_000_000m;

    private static void Validate(IReadOnlyList<DailyQuantity> history, IReadOnlyList<RemainingDay> remaining)
    {
        if (history.Select(d => d.Date).Distinct().Count() != history.Count)
        {
            throw new ArgumentException("Each date may occur once in the history.", nameof(history));
        }

        for (var i = 0; i < remaining.Count; i++)
        {
            if (remaining[i].Fraction is <= 0m or > 1m)
            {
                throw new ArgumentException($"The fraction of {remaining[i].Date:yyyy-MM-dd} must be above 0 and at most 1.", nameof(remaining));
            }

            if (i > 0 && remaining[i].Date <= remaining[i - 1].Date)
            {
                throw new ArgumentException("The remaining days must be in increasing date order.", nameof(remaining));
            }
        }
    }
}
