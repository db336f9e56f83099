using Microsoft.Extensions.Time.Testing;

namespace UsagePortal.Testing;

/// <summary>
/// The tests' one clock: a <see cref="FakeTimeProvider"/> whose date stands where the test puts it, while timers and
/// timestamps run on real time. A host's background loops (outbox, invoicer, circuits, notifier) keep their pace; only
/// "now" is the test's, so periods and amounts are fixed and can be checked to the cent.
/// </summary>
public class TestClock(DateTimeOffset now) : FakeTimeProvider(now)
{
    /// <summary>The date the host sees; a test may move it either way (<see cref="FakeTimeProvider.SetUtcNow"/> goes only forward).</summary>
    public DateTimeOffset Now
    {
        get => GetUtcNow();
        set => AdjustTime(value);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);

    public override long GetTimestamp() => System.GetTimestamp();

    public override long TimestampFrequency => System.TimestampFrequency;
}
