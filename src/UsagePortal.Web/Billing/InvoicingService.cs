using Microsoft.Extensions.Options;

namespace UsagePortal.Web.Billing;

/// <summary>The invoicer's sweep: at start-up, every <see cref="InvoicingOptions.SweepInterval"/>, and when woken.</summary>
internal sealed class InvoicingService(
    IServiceScopeFactory scopes,
    InvoicingSignal signal,
    IOptions<InvoicingOptions> options,
    ILogger<InvoicingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<InvoiceRunner>().RunOnceAsync(stoppingToken);
                if (result.Closed + result.Finalized > 0)
                {
                    logger.LogInformation("Invoicing: {Closed} periods closed, {Finalized} invoices finalized.", result.Closed, result.Finalized);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "The invoicing sweep failed; it runs again at the next interval.");
            }

            try
            {
                await signal.WaitAsync(options.Value.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
