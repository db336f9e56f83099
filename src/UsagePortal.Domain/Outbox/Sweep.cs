namespace UsagePortal.Domain.Outbox;

/// <summary>
/// A background sweep: runs once at start-up, then whenever its <see cref="WakeSignal"/> fires or its interval passes,
/// each time in a fresh DI scope. A failed run is logged and the next one comes at the next interval.
/// </summary>
public abstract class Sweep(IServiceScopeFactory scopes, WakeSignal signal, ILogger logger) : BackgroundService
{
    /// <summary>False turns the sweep off (tests and benchmarks drive the work themselves).</summary>
    protected abstract bool Enabled { get; }

    /// <summary>How long to wait for a wake-up before running anyway.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>What the logs call it.</summary>
    protected abstract string Name { get; }

    /// <summary>One run, with services from its own scope.</summary>
    protected abstract Task RunOnceAsync(IServiceProvider services, CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RunOnceAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "The {Sweep} sweep failed; it runs again at the next interval.", Name);
            }

            try
            {
                await signal.WaitAsync(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
