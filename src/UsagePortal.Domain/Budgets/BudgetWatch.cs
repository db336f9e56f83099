using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Domain.Budgets;

/// <summary>The <c>Budgets</c> section.</summary>
public sealed class BudgetOptions
{
    public const string SectionName = "Budgets";

    /// <summary>Every customer with a budget is looked at this often even without new usage (projected spend moves with time).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Turn the evaluator off (tests and benchmarks that drive <see cref="BudgetEvaluator"/> themselves).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Which customers' spend changed since the evaluator last looked. Ingestion's change notices reach it on every node
/// (through <see cref="Live.UsageNotifier"/>: directly on SQLite, through LISTEN/NOTIFY on PostgreSQL), as do budget
/// saves; it wakes the evaluator at once, so an alert or a cap follows the event that crossed it within the second.
/// </summary>
public sealed class BudgetWatch : WakeSignal
{
    private readonly ConcurrentDictionary<int, byte> pending = new();

    public void Changed(IEnumerable<int> customerIds)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        var any = false;
        foreach (var id in customerIds)
        {
            pending[id] = 0;
            any = true;
        }

        if (any)
        {
            Notify();
        }
    }

    /// <summary>
    /// Raised on this node after a customer was evaluated: any alert its spend called for is committed by then (fired
    /// here, or found fired by another node), so an open bell reads its count again.
    /// </summary>
    public event Action<int>? Evaluated;

    public void OnEvaluated(int customerId) => Evaluated?.Invoke(customerId);

    /// <summary>Takes the customers changed so far (each once).</summary>
    public IReadOnlyList<int> Take()
    {
        var taken = new List<int>();
        foreach (var id in pending.Keys)
        {
            if (pending.TryRemove(id, out _))
            {
                taken.Add(id);
            }
        }

        taken.Sort();
        return taken;
    }
}

/// <summary>The evaluator's loop: the customers whose usage changed when woken, and every customer with a budget at each sweep interval.</summary>
internal sealed class BudgetSweep(
    IServiceScopeFactory scopes,
    BudgetWatch watch,
    IOptions<BudgetOptions> options,
    TimeProvider clock,
    ILogger<BudgetSweep> logger) : Sweep(scopes, watch, logger)
{
    private DateTime nextFullSweep = DateTime.MinValue;

    protected override bool Enabled => options.Value.Enabled;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override string Name => "budgets";

    protected override async Task RunOnceAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var evaluator = services.GetRequiredService<BudgetEvaluator>();
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = watch.Take();
        if (now >= nextFullSweep)
        {
            nextFullSweep = now + options.Value.SweepInterval;
            await evaluator.EvaluateAllAsync(cancellationToken);
            return;
        }

        await evaluator.EvaluateAsync(changed, cancellationToken);
    }
}
