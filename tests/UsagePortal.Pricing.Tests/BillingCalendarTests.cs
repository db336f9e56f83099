using System.Text.Json;

namespace UsagePortal.Pricing.Tests;

/// <summary>Periods cut in the billing time zone, and plan terms parsed with every error named.</summary>
public sealed class BillingCalendarTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTime Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Calendar_months_start_at_local_midnight_and_the_first_one_at_the_start()
    {
        var calendar = new BillingCalendar(BillingAnchor.Calendar, NewYork, Utc(2026, 10, 15, 16));

        var first = calendar.First;
        var second = calendar.Next(first)!;

        Assert.Equal(new BillingPeriod(Utc(2026, 10, 15, 16), Utc(2026, 11, 1, 4), Utc(2026, 10, 1, 4), Utc(2026, 11, 1, 4)), first);
        // November crosses the end of daylight saving time: it starts at 04:00 UTC and ends at 05:00 UTC.
        Assert.Equal(new BillingPeriod(Utc(2026, 11, 1, 4), Utc(2026, 12, 1, 5), Utc(2026, 11, 1, 4), Utc(2026, 12, 1, 5)), second);
    }

    [Fact]
    public void Anniversary_months_keep_the_start_day_and_clamp_it_to_short_months()
    {
        var calendar = new BillingCalendar(BillingAnchor.Anniversary, TimeZoneInfo.Utc, Utc(2027, 1, 31));

        var periods = new List<BillingPeriod> { calendar.First };
        for (var i = 0; i < 3; i++)
        {
            periods.Add(calendar.Next(periods[^1])!);
        }

        Assert.Equal([Utc(2027, 1, 31), Utc(2027, 2, 28), Utc(2027, 3, 31), Utc(2027, 4, 30)], periods.Select(p => p.Start));
        Assert.Equal([Utc(2027, 2, 28), Utc(2027, 3, 31), Utc(2027, 4, 30), Utc(2027, 5, 31)], periods.Select(p => p.End));
        Assert.Equal(periods[1], calendar.PeriodAt(Utc(2027, 3, 30, 23)));
    }

    [Fact]
    public void A_period_is_clipped_at_the_end_and_none_follows_it()
    {
        var calendar = new BillingCalendar(BillingAnchor.Calendar, TimeZoneInfo.Utc, Utc(2026, 9, 1), endsAt: Utc(2026, 10, 11));

        var october = calendar.Next(calendar.First)!;

        Assert.Equal((Utc(2026, 10, 1), Utc(2026, 10, 11)), (october.Start, october.End));
        Assert.Null(calendar.Next(october));
        Assert.Null(calendar.PeriodAt(Utc(2026, 10, 11)));
        Assert.Null(calendar.PeriodAt(Utc(2026, 8, 31, 23)));
    }

    [Fact]
    public void The_share_of_a_period_counts_wall_clock_time_in_the_zone()
    {
        var calendar = new BillingCalendar(BillingAnchor.Calendar, NewYork, Utc(2026, 11, 1, 4));
        var november = calendar.First;

        // Ten local days of a 30-day month, even though November has one hour more in UTC.
        var (billed, whole) = calendar.Share(november, Utc(2026, 11, 1, 4), Utc(2026, 11, 11, 5));

        Assert.Equal(10m / 30m, billed / whole);
        Assert.Equal(20m, RecurringFee.Prorate(60m, billed, whole));
    }

    [Theory]
    [InlineData("""{"code":"pro","currency":"USD","flatFee":"49.001"}""", "flatFee")]
    [InlineData("""{"code":"pro","currency":"USD","minimumCommitment":"-1"}""", "minimumCommitment")]
    [InlineData("""{"code":"Pro!","currency":"USD"}""", "code")]
    [InlineData("""{"code":"pro","currency":"XXY"}""", "currency")]
    [InlineData("""{"code":"pro","currency":"USD","interval":"weekly"}""", "interval")]
    [InlineData("""{"code":"pro","currency":"USD","charges":[{"meter":"a","model":"standard","properties":{"unitAmount":"-1"}}]}""", "charges[0].properties.unitAmount")]
    [InlineData("""{"code":"pro","currency":"USD","charges":[{"meter":"a","model":"standard","properties":{"unitAmount":"1"}},{"meter":"a","model":"standard","properties":{"unitAmount":"2"}}]}""", "charges[1].meter")]
    [InlineData("""{"code":"pro","currency":"USD","charges":[{"meter":"a","model":"standard","properties":{"unitAmount":"1"},"freeAllowance":"-5"}]}""", "charges[0].freeAllowance")]
    [InlineData("""{"code":"pro","currency":"USD","charges":[{"meter":"a","model":"percentage","properties":{"rate":"1"},"freeAllowance":"5"}]}""", "charges[0].freeAllowance")]
    public void Invalid_plan_terms_name_the_field(string json, string field)
    {
        using var document = JsonDocument.Parse(json);

        var parsed = PlanTerms.Parse(document.RootElement);

        Assert.Null(parsed.Terms);
        Assert.Contains(parsed.Errors, e => e.Field == field);
    }

    [Fact]
    public void Plan_terms_round_trip_and_a_free_allowance_comes_off_before_the_model()
    {
        using var document = JsonDocument.Parse("""
            {"code":"pro","name":"Pro","currency":"JPY","flatFee":"4900","charges":[
              {"meter":"calls","model":"graduated","freeAllowance":"100","properties":{"ranges":[
                {"fromValue":"0","toValue":"1000","perUnitAmount":"0.5","flatAmount":"0"},
                {"fromValue":"1000","toValue":null,"perUnitAmount":"0.25","flatAmount":"0"}]}}]}
            """);

        var terms = PlanTerms.Parse(document.RootElement).Terms!;
        var again = PlanTerms.ParseCharges(PlanTerms.WriteCharges(terms.Charges));
        var price = again[0].Price(1600m);

        Assert.Equal((4900L, "Pro"), (terms.FlatFeeMinorUnits, terms.Name));
        Assert.Equal(100m, again[0].FreeAllowance);
        // 1,500 billable units: 1,000 × 0.5 + 500 × 0.25.
        Assert.Equal(625m, price.Amount);
        Assert.Equal((BreakdownKind.Free, 100m), (price.Breakdown[0].Kind, price.Breakdown[0].Units));
    }
}
