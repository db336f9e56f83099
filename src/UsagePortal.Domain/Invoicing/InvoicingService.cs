using Microsoft.Extensions.Options;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Invoicing;

/// <summary>The invoicer's sweep: at start-up, every <see cref="InvoicingOptions.SweepInterval"/>, and when woken.</summary>
internal sealed class InvoicingService(
    IServiceScopeFactory scopes,
    InvoicingSignal signal,
    IOptions<InvoicingOptions> options,
    ILogger<InvoicingService> logger) : Sweep(scopes, signal, logger)
{
    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override string Name => "invoicing";

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<InvoiceRunner>().RunOnceAsync(cancellationToken);
        if (result.Closed + result.Finalized > 0)
        {
            logger.LogInformation("Invoicing: {Closed} periods closed, {Finalized} invoices finalized.", result.Closed, result.Finalized);
        }
    }
}
