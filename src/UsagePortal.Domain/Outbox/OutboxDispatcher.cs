using Microsoft.Extensions.Options;

namespace UsagePortal.Domain.Outbox;

/// <summary>The sweep: delivers due outbox messages when woken and at every poll interval.</summary>
internal sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : Sweep(scopes, signal, logger)
{
    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override string Name => "outbox";

    protected override Task RunOnceAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(cancellationToken);
}
