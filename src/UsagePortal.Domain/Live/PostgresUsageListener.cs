using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using UsagePortal.Data;

namespace UsagePortal.Domain.Live;

/// <summary>
/// On PostgreSQL, listens for usage changes committed by any node and forwards them to this node's dashboards (and its
/// budget evaluator), and for entitlement changes and revoked API keys, which this node's caches forget.
/// Reconnects with a short delay when the connection drops.
/// </summary>
internal sealed class PostgresUsageListener(
    IServiceScopeFactory scopes,
    IOptions<DatabaseOptions> database,
    UsageNotifier notifier,
    Budgets.EntitlementCache entitlements,
    ApiKeys.ApiKeyCache apiKeys,
    ILogger<PostgresUsageListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        string connectionString;
        await using (var scope = scopes.CreateAsyncScope())
        {
            connectionString = scope.ServiceProvider.GetRequiredService<UsagePortalDbContext>().Database.GetConnectionString()!;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 30 }.ToString());
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == Budgets.EntitlementCache.PostgresChannel)
                    {
                        entitlements.Forget(int.Parse(e.Payload, CultureInfo.InvariantCulture));
                    }
                    else if (e.Channel == ApiKeys.ApiKeyCache.PostgresChannel)
                    {
                        apiKeys.ForgetAll();
                    }
                    else
                    {
                        notifier.Publish(e.Payload.Split(',').Select(id => int.Parse(id, CultureInfo.InvariantCulture)));
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {UsageNotifier.PostgresChannel}; LISTEN {Budgets.EntitlementCache.PostgresChannel}; LISTEN {ApiKeys.ApiKeyCache.PostgresChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Notices sent while this connection was down are lost: what this node remembers of entitlements and keys may be old.
                entitlements.ForgetAll();
                apiKeys.ForgetAll();

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "The usage listener lost its PostgreSQL connection; reconnecting.");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
