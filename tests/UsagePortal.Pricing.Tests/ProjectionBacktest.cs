namespace UsagePortal.Pricing.Tests;

/// <summary>
/// PRODUCT.md "Projection": the 80 % band is honest, i.e. backtested on generated histories it holds the period's final
/// quantity in 70–90 % of cases. Each case is a 30-day period with 28 days of usage before it, a daily rate and a
/// day-to-day spread drawn at random (some with quiet weekends), and "now" at a random point in the period; the period is
/// then played to its end and the final quantity compared with the band the projector gave at "now".
/// </summary>
public class ProjectionBacktest
{
    private const int Cases = 2000;
    private const int PeriodDays = 30;

    public static TheoryData<string, bool> Kinds => new()
    {
        { "steady daily usage", false },
        { "quiet weekends", true },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheEightyPercentBandHoldsTheFinalQuantityInSeventyToNinetyPercentOfPeriods(string kind, bool weekends)
    {
        var random = new Random(weekends ? 20261202 : 19);
        var held = 0;
        var early = (Held: 0, Count: 0);
        for (var i = 0; i < Cases; i++)
        {
            var rate = 20 + (random.NextDouble() * 480);
            var spread = 0.05 + (random.NextDouble() * 0.45);
            var first = new DateOnly(2026, 1, 5).AddDays(random.Next(7));
            var days = Enumerable.Range(-28, 28 + PeriodDays)
                .Select(offset => new DailyQuantity(first.AddDays(offset), Day(random, rate, spread, weekends && first.AddDays(offset).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)))
                .ToList();
            var elapsed = random.Next(1, PeriodDays);
            var today = first.AddDays(elapsed);
            var history = days.Where(d => d.Date < today).ToList();
            var remaining = Enumerable.Range(0, PeriodDays - elapsed).Select(d => new RemainingDay(today.AddDays(d), 1m)).ToList();

            var projection = UsageProjector.ProjectRemaining(history, remaining, additive: true);

            var soFar = days.Where(d => d.Date >= first && d.Date < today).Sum(d => d.Quantity);
            var final = days.Where(d => d.Date >= first).Sum(d => d.Quantity);
            var inside = soFar + projection.Low <= final && final <= soFar + projection.High;
            held += inside ? 1 : 0;
            if (elapsed <= 7)
            {
                early = (early.Held + (inside ? 1 : 0), early.Count + 1);
            }
        }

        var share = held / (double)Cases;
        Assert.True(share is >= 0.70 and <= 0.90, $"{kind}: the band held the final quantity in {share:P1} of {Cases} periods.");
        var earlyShare = early.Held / (double)early.Count;
        Assert.True(earlyShare is >= 0.70 and <= 0.90, $"{kind}: projected in the first week, the band held the final quantity in {earlyShare:P1} of {early.Count} periods.");
    }

    /// <summary>A day's usage: normal around the rate (a tenth of it on a quiet weekend day), whole units, never negative.</summary>
    private static decimal Day(Random random, double rate, double spread, bool quiet)
    {
        var mean = quiet ? rate / 10 : rate;
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (decimal)Math.Max(0, Math.Round(mean + (normal * spread * mean)));
    }
}
