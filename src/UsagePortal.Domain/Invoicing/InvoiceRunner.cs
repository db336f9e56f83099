using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Payments;
using UsagePortal.Domain.Credits;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Payments;
using UsagePortal.Domain.Storage;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Domain.UsageReads;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>What one sweep did.</summary>
public sealed record InvoiceRunResult(int Closed, int Finalized);

/// <summary>An invoice before it exists: its period, its exact lines, and the totals (rounded lines, credits, tax) it would get.</summary>
public sealed record InvoiceForecast(BillingPeriod Period, IReadOnlyList<RatedLine> Lines, InvoiceTotals Totals);

/// <summary>
/// The invoicer. A sweep closes every due period into a draft invoice and finalizes the drafts whose grace period has
/// ended. Safe with any number of nodes: a subscription is claimed with a row lease (on PostgreSQL the claim skips rows
/// another node has locked, <c>FOR UPDATE SKIP LOCKED</c>), the unique index on (subscription, period start) refuses a
/// second invoice for a period, and finalization is a compare-and-set on the draft status inside the transaction that
/// takes the next gap-free number, so a rolled-back finalization consumes none.
/// </summary>
public sealed class InvoiceRunner(
    UsagePortalDbContext db,
    PeriodRater rater,
    UsageQuery usage,
    CreditService credits,
    IOptions<InvoicingOptions> options,
    TimeProvider clock,
    ILogger<InvoiceRunner> logger,
    IDatabaseDialect dialect)
{
    /// <summary>
    /// Rollups are stamped in the ingesting transaction, which may commit a moment after a concurrent read; watermarks
    /// are set this far back so that such an event is looked at again rather than missed. Looking again is harmless:
    /// late usage is billed as the difference between the period's price now and what was billed.
    /// </summary>
    public static readonly TimeSpan LateUsageMargin = TimeSpan.FromMinutes(2);

    private static readonly List<string> BilledStatuses = [.. InvoiceStateMachine.Billed];

    private LoadedMeters? meters;

    private Dictionary<int, long?>? caps;

    public async Task<InvoiceRunResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var closed = await CloseDuePeriodsAsync(cancellationToken);
        closed += await CloseLateUsageOfEndedAsync(cancellationToken);
        // Lapsed grants leave the ledger as expired before finalization looks for credit.
        await credits.ExpireDueAsync(Now, cancellationToken);
        var finalized = await FinalizeDueAsync(cancellationToken);
        return new InvoiceRunResult(closed, finalized);
    }

    /// <summary>
    /// A subscription that has ended has no next invoice to carry late usage, so late usage of its billed periods gets
    /// an invoice of its own: a draft dated when it is found (its period is that instant), holding only late-usage lines,
    /// finalized after the grace period like any other. While one such draft waits, later events land on it. When the
    /// rollups changed but nothing more is owed, the periods are marked as billed as they stand and no invoice is made.
    /// </summary>
    public async Task<int> CloseLateUsageOfEndedAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        var ended = await db.Subscriptions.AsNoTracking()
            .Where(s => s.NextPeriodStart == null && s.EndsAt != null && s.EndsAt <= now && (s.LeasedUntil == null || s.LeasedUntil < now))
            .Where(s => s.BillingRetryAt == null || s.BillingRetryAt <= now)
            .Where(s => !db.Invoices.Any(i => i.SubscriptionId == s.Id && i.Status == InvoiceStatuses.Draft))
            .Where(s => db.Invoices.Any(i => i.SubscriptionId == s.Id && BilledStatuses.Contains(i.Status)
                && db.UsageRollups.Any(r => r.CustomerId == i.CustomerId
                    && r.BucketStart > i.PeriodStart.AddHours(-1) && r.BucketStart < i.PeriodEnd
                    && r.UpdatedAt > i.UsageBilledThrough)))
            .OrderBy(s => s.Id)
            .Select(s => s.Id)
            .Take(options.Value.BatchSize)
            .ToListAsync(cancellationToken);
        var closed = 0;
        var until = now + options.Value.Lease;
        foreach (var subscriptionId in ended)
        {
            var claimed = await db.Subscriptions
                .Where(s => s.Id == subscriptionId && (s.LeasedUntil == null || s.LeasedUntil < now))
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.LeasedUntil, until), cancellationToken);
            if (claimed == 0)
            {
                continue;
            }

            try
            {
                db.ChangeTracker.Clear();
                var subscription = (await LoadSubscriptionAsync(subscriptionId, tracking: true, cancellationToken))!;
                var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == subscription.CustomerId, cancellationToken);
                var readAt = Now;
                var computed = await ComputeAsync(subscription, customer, new BillingPeriod(readAt, readAt, readAt, readAt), null, null, cancellationToken);
                if (computed.Lines.Count == 0)
                {
                    await MarkLateUsageBilledAsync(computed, readAt, cancellationToken);
                }
                else
                {
                    // The draft's period is the instant the late usage was found; it follows the normal grace period.
                    db.Invoices.Add(NewDraft(subscription, customer, readAt, readAt, computed, readAt));
                    closed++;
                }

                subscription.LeasedUntil = null;
                ClearFailure(subscription);
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                await RecordFailureAsync(subscriptionId, exception, cancellationToken);
            }
        }

        return closed;
    }

    /// <summary>Closes every period that has ended into a draft invoice; answers how many were closed.</summary>
    public async Task<int> CloseDuePeriodsAsync(CancellationToken cancellationToken = default)
    {
        var closed = 0;
        while (true)
        {
            var claimed = await ClaimDueAsync(cancellationToken);
            if (claimed.Count == 0)
            {
                return closed;
            }

            closed += await CloseBatchAsync(claimed, cancellationToken);
        }
    }

    /// <summary>Finalizes every draft whose grace period has ended; answers how many were finalized.</summary>
    public async Task<int> FinalizeDueAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        var due = await db.Invoices.AsNoTracking()
            .Where(i => i.Status == InvoiceStatuses.Draft && i.FinalizesAt <= now)
            .Where(i => !db.Subscriptions.Any(s => s.Id == i.SubscriptionId && s.BillingRetryAt > now))
            .OrderBy(i => i.FinalizesAt).ThenBy(i => i.Id)
            .Select(i => i.Id)
            .ToListAsync(cancellationToken);
        var finalized = 0;
        foreach (var batch in due.Chunk(Math.Max(1, options.Value.BatchSize)))
        {
            finalized += await FinalizeBatchAsync(batch, cancellationToken);
        }

        return finalized;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Claims up to a batch of due subscriptions for this node by setting their lease.</summary>
    private Task<List<int>> ClaimDueAsync(CancellationToken cancellationToken) =>
        dialect.ClaimDueSubscriptionsAsync(db, Now, Now + options.Value.Lease, options.Value.BatchSize, cancellationToken);

    /// <summary>
    /// Closes a claimed batch: each period is read and rated, then every draft and every schedule is saved at once (one
    /// commit per batch, not per subscription). If the batch meets an invoice that another node made meanwhile (its lease
    /// had run out), none of the batch stands and its subscriptions are closed one by one, which skips just that one.
    /// </summary>
    private async Task<int> CloseBatchAsync(List<int> claimed, CancellationToken cancellationToken)
    {
        try
        {
            return await CloseTogetherAsync(claimed, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Another node's invoice for a period (its lease had run out), or one subscription that cannot be invoiced:
            // none of the batch stands, and each subscription is closed on its own, so that one failure holds back no other.
            if (!(exception is DbUpdateException update && dialect.IsUniqueViolation(update)))
            {
                logger.LogWarning(exception, "Closing a batch of {Count} subscriptions failed; closing them one by one.", claimed.Count);
            }

            db.ChangeTracker.Clear();
            usage.ForgetPrefetched();
            var closed = 0;
            foreach (var subscriptionId in claimed)
            {
                closed += await CloseAsync(subscriptionId, cancellationToken) ? 1 : 0;
            }

            return closed;
        }
    }

    private async Task<int> CloseTogetherAsync(List<int> claimed, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var subscriptions = await WithTerms()
            .Where(s => claimed.Contains(s.Id))
            .ToListAsync(cancellationToken);
        var customerIds = subscriptions.Select(s => s.CustomerId).Distinct().ToList();
        var customers = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var release = claimed.Except(subscriptions.Select(s => s.Id)).ToList();
        var readAt = Now;
        var due = subscriptions
            .Where(s => s.NextPeriodStart is not null && s.NextPeriodEnd is { } end && end <= readAt)
            .OrderBy(s => s.NextPeriodEnd).ThenBy(s => s.Id)
            .ToList();
        release.AddRange(subscriptions.Except(due).Select(s => s.Id));
        var late = await PrefetchAsync(due.Select(s => (s, s.NextPeriodStart!.Value, s.NextPeriodEnd!.Value)).ToList(), cancellationToken);
        try
        {
            foreach (var subscription in due)
            {
                db.Invoices.Add(await DraftAsync(subscription, customers[subscription.CustomerId], subscription.NextPeriodStart!.Value, subscription.NextPeriodEnd!.Value, readAt, late, cancellationToken));
            }
        }
        finally
        {
            usage.ForgetPrefetched();
        }

        await db.SaveChangesAsync(cancellationToken);
        if (release.Count > 0)
        {
            await db.Subscriptions.Where(s => release.Contains(s.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(s => s.LeasedUntil, (DateTime?)null), cancellationToken);
        }

        return due.Count;
    }

    /// <summary>
    /// Reads what a batch of periods needs with a few queries instead of a few per period: the usage of every customer
    /// over its period (kept by <see cref="UsageQuery"/> until <see cref="UsageQuery.ForgetPrefetched"/>) and the
    /// earlier invoices that may have late usage.
    /// </summary>
    private async Task<ILookup<int, LateCandidate>> PrefetchAsync(IReadOnlyList<(Subscription Subscription, DateTime Start, DateTime End)> periods, CancellationToken cancellationToken)
    {
        var loaded = await MetersAsync(cancellationToken);
        foreach (var group in periods.GroupBy(p => (p.Start, p.End)))
        {
            await usage.PrefetchAsync([.. group.Select(p => p.Subscription.CustomerId).Distinct()], group.Key.Start, group.Key.End, loaded, cancellationToken);
        }

        return await LateCandidatesAsync([.. periods.Select(p => p.Subscription.Id).Distinct()], cancellationToken);
    }

    /// <summary>Closes the claimed subscription's next period into a draft and schedules the period after it.</summary>
    private async Task<bool> CloseAsync(int subscriptionId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        DateTime? periodStart = null;
        try
        {
            var subscription = await LoadSubscriptionAsync(subscriptionId, tracking: true, cancellationToken);
            if (subscription?.NextPeriodStart is not { } start || subscription.NextPeriodEnd is not { } end || end > Now)
            {
                await ReleaseAsync(subscriptionId, cancellationToken);
                return false;
            }

            periodStart = start;
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == subscription.CustomerId, cancellationToken);
            db.Invoices.Add(await DraftAsync(subscription, customer, start, end, Now, null, cancellationToken));
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (dialect.IsUniqueViolation(exception))
        {
            // Another node closed this period first (its lease had run out); its invoice stands.
            logger.LogWarning("Period {Start:O} of subscription {Subscription} was already invoiced.", periodStart, subscriptionId);
            db.ChangeTracker.Clear();
            await ReleaseAsync(subscriptionId, cancellationToken);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await RecordFailureAsync(subscriptionId, exception, cancellationToken);
            return false;
        }
    }

    /// <summary>
    /// Records on the subscription that invoicing it failed, for admins to see, and leaves it alone for a while that doubles
    /// with every failure in a row: the sweep goes on with every other subscription.
    /// </summary>
    private async Task RecordFailureAsync(int subscriptionId, Exception exception, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        usage.ForgetPrefetched();
        var now = Now;
        var failures = await db.Subscriptions.Where(s => s.Id == subscriptionId).Select(s => s.BillingFailures).SingleOrDefaultAsync(cancellationToken) + 1;
        var settings = options.Value;
        var wait = TimeSpan.FromTicks(Math.Min(settings.MaxFailureBackoff.Ticks, settings.FailureBackoff.Ticks * (1L << Math.Min(failures - 1, 20))));
        var reason = $"{exception.GetType().Name}: {exception.Message}";
        await db.Subscriptions.Where(s => s.Id == subscriptionId).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.BillingFailures, failures)
            .SetProperty(s => s.BillingFailedAt, now)
            .SetProperty(s => s.BillingError, reason.Length > 1000 ? reason[..1000] : reason)
            .SetProperty(s => s.BillingRetryAt, now + wait)
            .SetProperty(s => s.LeasedUntil, (DateTime?)null), cancellationToken);
        logger.LogError(exception, "Invoicing subscription {Subscription} failed ({Failures} in a row); the next attempt is at {RetryAt:O}.", subscriptionId, failures, now + wait);
    }

    /// <summary>A successful attempt ends a run of failures.</summary>
    private static void ClearFailure(Subscription subscription)
    {
        subscription.BillingFailures = 0;
        subscription.BillingFailedAt = null;
        subscription.BillingError = null;
        subscription.BillingRetryAt = null;
    }

    private async Task ClearFailuresAsync(IReadOnlyList<int> subscriptionIds, CancellationToken cancellationToken) =>
        await db.Subscriptions.Where(s => subscriptionIds.Contains(s.Id) && s.BillingFailures > 0).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.BillingFailures, 0)
            .SetProperty(s => s.BillingFailedAt, (DateTime?)null)
            .SetProperty(s => s.BillingError, (string?)null)
            .SetProperty(s => s.BillingRetryAt, (DateTime?)null), cancellationToken);

    /// <summary>The draft of the (tracked) subscription's period [start, end); the subscription is moved on to the next period and released.</summary>
    private async Task<Invoice> DraftAsync(Subscription subscription, Customer customer, DateTime start, DateTime end, DateTime readAt, ILookup<int, LateCandidate>? late, CancellationToken cancellationToken)
    {
        var period = PeriodOf(subscription, start, end);
        var invoice = NewDraft(subscription, customer, start, end, await ComputeAsync(subscription, customer, period, late, null, cancellationToken), readAt);
        SubscriptionSchedule.ScheduleFrom(subscription, period.NominalEnd);
        subscription.LeasedUntil = null;
        ClearFailure(subscription);
        return invoice;
    }

    /// <summary>
    /// Finalizes a batch of drafts (in due order) like <see cref="FinalizeAsync"/> does one, with one commit for the batch.
    /// Every period is read and rated first (a few queries for the whole batch); then one short transaction sets each
    /// draft that is still a draft (the compare-and-set, all of them before any number is taken, as for one), numbers
    /// the winners in order and writes their lines. A customer who holds credit grants is finalized on its own instead:
    /// applying credits reads the balances just before its own transaction.
    /// </summary>
    private async Task<int> FinalizeBatchAsync(IReadOnlyList<long> invoiceIds, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var drafts = await db.Invoices.AsNoTracking()
            .Where(i => invoiceIds.Contains(i.Id) && i.Status == InvoiceStatuses.Draft)
            .ToListAsync(cancellationToken);
        var customerIds = drafts.Select(d => d.CustomerId).Distinct().ToList();
        var withCredits = await db.CreditGrants.AsNoTracking()
            .Where(g => customerIds.Contains(g.CustomerId) && g.Remaining > 0)
            .Select(g => g.CustomerId)
            .Distinct()
            .ToListAsync(cancellationToken);
        var order = invoiceIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var finalized = 0;
        var batch = drafts.Where(d => !withCredits.Contains(d.CustomerId)).ToList();
        if (batch.Count > 0)
        {
            var subscriptionIds = batch.Select(d => d.SubscriptionId).Distinct().ToList();
            var subscriptions = await WithTerms().AsNoTracking()
                .Where(s => subscriptionIds.Contains(s.Id))
                .ToDictionaryAsync(s => s.Id, cancellationToken);
            var customers = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
            var periods = batch.OrderBy(d => order[d.Id])
                .Select(d => (Draft: d, Subscription: subscriptions.GetValueOrDefault(d.SubscriptionId) ?? throw new InvalidOperationException($"Invoice {d.Id} has no subscription.")))
                .ToList();
            var readAt = Now;
            var late = await PrefetchAsync([.. periods.Select(p => (p.Subscription, p.Draft.PeriodStart, p.Draft.PeriodEnd))], cancellationToken);
            var prepared = new List<(long InvoiceId, int SubscriptionId, Customer Customer, Computed Computed, InvoiceTotals Totals)>();
            var failed = new List<(int SubscriptionId, Exception Error)>();
            try
            {
                foreach (var (draft, subscription) in periods)
                {
                    try
                    {
                        var customer = customers[draft.CustomerId];
                        var computed = await ComputeAsync(subscription, customer, PeriodOf(subscription, draft), late, null, cancellationToken);
                        var totals = Total(computed.Currency, computed.Inputs, [], customer.TaxRate, readAt);
                        prepared.Add((draft.Id, subscription.Id, customer, computed, totals));
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // This draft waits (see RecordFailureAsync); the others of the batch go on.
                        failed.Add((subscription.Id, exception));
                    }
                }
            }
            finally
            {
                usage.ForgetPrefetched();
            }

            try
            {
                finalized += await CommitFinalizedAsync(prepared.Select(p => (p.InvoiceId, p.Customer, p.Computed, p.Totals)).ToList(), readAt, cancellationToken);
                await ClearFailuresAsync([.. prepared.Select(p => p.SubscriptionId).Distinct()], cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The batch's one transaction failed as a whole: nothing of it stands, and each draft is finalized on its own.
                logger.LogWarning(exception, "Finalizing a batch of {Count} invoices failed; finalizing them one by one.", prepared.Count);
                foreach (var item in prepared)
                {
                    finalized += await TryFinalizeAsync(item.InvoiceId, item.SubscriptionId, cancellationToken) ? 1 : 0;
                }
            }

            foreach (var (subscriptionId, error) in failed)
            {
                await RecordFailureAsync(subscriptionId, error, cancellationToken);
            }
        }

        foreach (var draft in drafts.Where(d => withCredits.Contains(d.CustomerId)).OrderBy(d => order[d.Id]))
        {
            finalized += await TryFinalizeAsync(draft.Id, draft.SubscriptionId, cancellationToken) ? 1 : 0;
        }

        return finalized;
    }

    /// <summary>In one transaction: each draft that is still a draft is finalized, numbered in order, and given its lines.</summary>
    private async Task<int> CommitFinalizedAsync(List<(long InvoiceId, Customer Customer, Computed Computed, InvoiceTotals Totals)> prepared, DateTime readAt, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var won = new List<(long InvoiceId, Customer Customer, Computed Computed, InvoiceTotals Totals)>();
        foreach (var item in prepared)
        {
            if (await SetFinalizedAsync(item.InvoiceId, item.Customer, readAt, item.Totals, cancellationToken))
            {
                won.Add(item);
            }
        }

        if (won.Count > 0)
        {
            var wonIds = won.Select(w => w.InvoiceId).ToList();
            await db.InvoiceLines.Where(l => wonIds.Contains(l.InvoiceId)).ExecuteDeleteAsync(cancellationToken);
            foreach (var (invoiceId, _, computed, totals) in won)
            {
                var formatted = $"INV-{await InvoiceCorrections.NextNumberAsync(db, DocumentSequence.Invoices, cancellationToken):D6}";
                await db.Invoices.Where(x => x.Id == invoiceId).ExecuteUpdateAsync(set => set.SetProperty(x => x.Number, formatted), cancellationToken);
                AddLines(invoiceId, computed, totals);
                await MarkLateUsageBilledAsync(computed, readAt, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return won.Count;
    }

    /// <summary><see cref="FinalizeAsync"/> for the sweep: a failure is recorded on the subscription instead of stopping the sweep.</summary>
    private async Task<bool> TryFinalizeAsync(long invoiceId, int subscriptionId, CancellationToken cancellationToken)
    {
        try
        {
            var finalized = await FinalizeAsync(invoiceId, cancellationToken);
            if (finalized)
            {
                await ClearFailuresAsync([subscriptionId], cancellationToken);
            }

            return finalized;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await RecordFailureAsync(subscriptionId, exception, cancellationToken);
            return false;
        }
    }

    private static BillingPeriod PeriodOf(Subscription subscription, Invoice draft) => PeriodOf(subscription, draft.PeriodStart, draft.PeriodEnd);

    /// <summary>[start, end) with the nominal month it belongs to (for proration); a stretch past the end is its own.</summary>
    private static BillingPeriod PeriodOf(Subscription subscription, DateTime start, DateTime end)
    {
        var nominal = SubscriptionSchedule.Calendar(subscription).PeriodAt(start);
        return new BillingPeriod(start, end, nominal?.NominalStart ?? start, nominal?.NominalEnd ?? end);
    }

    /// <summary>A draft invoice of [start, end) holding the computed lines, totalled without credit (credit is applied at finalization).</summary>
    private Invoice NewDraft(Subscription subscription, Customer customer, DateTime start, DateTime end, Computed computed, DateTime readAt)
    {
        var totals = Total(computed.Currency, computed.Inputs, [], customer.TaxRate, readAt);
        return new Invoice
        {
            CustomerId = subscription.CustomerId,
            SubscriptionId = subscription.Id,
            PeriodStart = start,
            PeriodEnd = end,
            Currency = computed.Currency.Code,
            TaxRate = customer.TaxRate,
            Subtotal = totals.Subtotal,
            Tax = totals.Tax,
            Total = totals.Total,
            UsageReadAt = readAt,
            CreatedAt = readAt,
            FinalizesAt = end + options.Value.GracePeriod,
            Lines = ToEntities(computed.Lines, totals),
        };
    }

    /// <summary>
    /// The compare-and-set that finalizes a draft with its totals, and queues its push to the payment provider in the same
    /// unit of work (saved by the caller); false when it is not a draft (any more).
    /// </summary>
    private async Task<bool> SetFinalizedAsync(long invoiceId, Customer customer, DateTime readAt, InvoiceTotals totals, CancellationToken cancellationToken)
    {
        var finalized = await db.Invoices
            .Where(i => i.Id == invoiceId)
            .WhereAllows(InvoiceAction.Finalize)
            .ExecuteUpdateAsync(set => set
                .SetProperty(i => i.Status, InvoiceStateMachine.After(InvoiceStatuses.Draft, InvoiceAction.Finalize))
                .SetProperty(i => i.FinalizedAt, readAt)
                .SetProperty(i => i.UsageReadAt, readAt)
                .SetProperty(i => i.UsageBilledThrough, readAt - LateUsageMargin)
                .SetProperty(i => i.TaxRate, customer.TaxRate)
                .SetProperty(i => i.Subtotal, totals.Subtotal)
                .SetProperty(i => i.CreditsApplied, totals.CreditsApplied)
                .SetProperty(i => i.Tax, totals.Tax)
                .SetProperty(i => i.Total, totals.Total)
                .SetProperty(i => i.PaymentState, PaymentStates.Queued), cancellationToken) == 1;
        if (finalized)
        {
            PaymentPushes.Enqueue(db, invoiceId, PaymentPushes.Finalization, Now);
        }

        return finalized;
    }

    /// <summary>The finalized invoice's lines (tracked; saved by the caller).</summary>
    private void AddLines(long invoiceId, Computed computed, InvoiceTotals totals)
    {
        var lines = ToEntities(computed.Lines, totals);
        foreach (var line in lines)
        {
            line.InvoiceId = invoiceId;
        }

        db.InvoiceLines.AddRange(lines);
    }

    /// <summary>Late usage of earlier periods is now billed as it stood at this read.</summary>
    private async Task MarkLateUsageBilledAsync(Computed computed, DateTime readAt, CancellationToken cancellationToken)
    {
        if (computed.LateChecked.Count > 0)
        {
            var watermark = readAt - LateUsageMargin;
            await db.Invoices.Where(i => computed.LateChecked.Contains(i.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.UsageBilledThrough, watermark), cancellationToken);
        }
    }

    /// <summary>
    /// Finalizes a draft now: recomputes its lines from the usage as it stands (events of the grace period included),
    /// applies credits, numbers it, and makes it immutable. Answers false when it was not a draft (any more).
    /// </summary>
    public async Task<bool> FinalizeAsync(long invoiceId, CancellationToken cancellationToken = default)
    {
        db.ChangeTracker.Clear();
        var draft = await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        if (draft is not { Status: InvoiceStatuses.Draft })
        {
            return false;
        }

        var subscription = await LoadSubscriptionAsync(draft.SubscriptionId, tracking: false, cancellationToken)
            ?? throw new InvalidOperationException($"Invoice {invoiceId} has no subscription.");
        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == draft.CustomerId, cancellationToken);
        var period = PeriodOf(subscription, draft);

        // Read first, write in a short transaction after: a SQLite transaction that reads and then writes cannot
        // upgrade once an ingesting writer has committed in between.
        var readAt = Now;
        var computed = await ComputeAsync(subscription, customer, period, null, null, cancellationToken);
        var grants = await GrantsAsync(customer.Id, computed.Currency, cancellationToken);
        var totals = Total(computed.Currency, computed.Inputs, grants, customer.TaxRate, readAt);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The compare-and-set on the status comes first: of two nodes finalizing at once, the loser stops here
        // (on PostgreSQL it waits for the winner's row lock, then finds no draft) before it takes a number.
        if (!await SetFinalizedAsync(invoiceId, customer, readAt, totals, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        var number = await InvoiceCorrections.NextNumberAsync(db, DocumentSequence.Invoices, cancellationToken);
        var formatted = $"INV-{number:D6}";
        await db.Invoices.Where(i => i.Id == invoiceId).ExecuteUpdateAsync(set => set.SetProperty(i => i.Number, formatted), cancellationToken);
        await db.InvoiceLines.Where(l => l.InvoiceId == invoiceId).ExecuteDeleteAsync(cancellationToken);
        AddLines(invoiceId, computed, totals);
        foreach (var consumption in totals.CreditConsumptions)
        {
            var grantId = int.Parse(consumption.GrantId, System.Globalization.CultureInfo.InvariantCulture);
            var taken = await db.CreditGrants
                .Where(g => g.Id == grantId && g.Remaining >= consumption.ConsumedMinorUnits)
                .ExecuteUpdateAsync(set => set.SetProperty(g => g.Remaining, g => g.Remaining - consumption.ConsumedMinorUnits), cancellationToken);
            if (taken == 0)
            {
                // Someone else spent the grant meanwhile: nothing of this attempt stands (not even the queued push); the
                // next sweep tries again.
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                logger.LogWarning("Credit grant {Grant} changed while invoice {Invoice} was being finalized; retrying later.", grantId, invoiceId);
                return false;
            }

            db.CreditLedger.Add(new CreditLedgerEntry
            {
                CreditGrantId = grantId,
                CustomerId = customer.Id,
                Kind = CreditMovements.Applied,
                Amount = -consumption.ConsumedMinorUnits,
                BalanceAfter = consumption.RemainingMinorUnits,
                InvoiceId = invoiceId,
                At = readAt,
                Note = $"Applied to {formatted}",
            });
        }

        await MarkLateUsageBilledAsync(computed, readAt, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// The customer's credit grants in <paramref name="currency"/> with something left, as finalization consumes them (the
    /// calculator skips the expired ones and takes the soonest-expiring first).
    /// </summary>
    public async Task<IReadOnlyList<CreditGrantBalance>> GrantsAsync(int customerId, Currency currency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(currency);
        var grants = await db.CreditGrants.AsNoTracking()
            .Where(g => g.CustomerId == customerId && g.Currency == currency.Code && g.Remaining > 0)
            .OrderBy(g => g.Id)
            .ToListAsync(cancellationToken);
        return [.. grants.Select(g => new CreditGrantBalance(g.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), g.Remaining,
            g.ExpiresAt is { } expiry ? new DateTimeOffset(expiry, TimeSpan.Zero) : null))];
    }

    /// <summary>An invoice's totals as finalization computes them: lines rounded once, credits, then tax.</summary>
    public static InvoiceTotals Total(Currency currency, IReadOnlyList<InvoiceLineInput> lines, IReadOnlyList<CreditGrantBalance> grants, decimal taxRate, DateTime asOf) =>
        InvoiceCalculator.Calculate(new InvoiceInput(currency, lines, grants, taxRate, new DateTimeOffset(DateTime.SpecifyKind(asOf, DateTimeKind.Utc))));

    /// <summary>
    /// The late-usage lines the invoice of <paramref name="period"/> would carry if it were closed now: usage of earlier,
    /// billed periods of the subscription that arrived after they were billed, priced as closing prices it.
    /// </summary>
    public async Task<IReadOnlyList<RatedLine>> LateUsageLinesAsync(Subscription subscription, BillingPeriod period, Currency currency, LoadedMeters loaded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return (await LateUsageAsync(subscription, subscription.CustomerId, period, currency, null, loaded, cancellationToken)).Lines;
    }

    /// <summary>
    /// The invoice of the (loaded) subscription's next period to close, as closing and finalizing it would make it with the
    /// usage read until <paramref name="usageUntil"/>: the draft's lines (late usage and the cap included) and the totals
    /// finalization computes with the customer's credits as they stand. Null when every period is invoiced. The plan-change
    /// preview shows it, so a preview and the invoice it announces come from this one computation.
    /// </summary>
    public async Task<InvoiceForecast?> ForecastAsync(Subscription subscription, Customer customer, DateTime usageUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(customer);
        if (subscription is not { NextPeriodStart: { } start, NextPeriodEnd: { } end })
        {
            return null;
        }

        var period = PeriodOf(subscription, start, end);
        var computed = await ComputeAsync(subscription, customer, period, null, usageUntil, cancellationToken);
        var grants = await GrantsAsync(customer.Id, computed.Currency, cancellationToken);
        return new InvoiceForecast(period, computed.Lines, Total(computed.Currency, computed.Inputs, grants, customer.TaxRate, usageUntil));
    }

    private sealed record Computed(Currency Currency, IReadOnlyList<RatedLine> Lines, IReadOnlyList<InvoiceLineInput> Inputs, IReadOnlyList<long> LateChecked);

    /// <summary>The period's lines, then the late usage of earlier periods; usage read over the whole period unless <paramref name="usageUntil"/> is given.</summary>
    private async Task<Computed> ComputeAsync(Subscription subscription, Customer customer, BillingPeriod period, ILookup<int, LateCandidate>? lateCandidates, DateTime? usageUntil, CancellationToken cancellationToken)
    {
        var loaded = await MetersAsync(cancellationToken);
        var rated = await rater.RateAsync(subscription, period, loaded, usageUntil, cancellationToken);
        var (late, checkedInvoices) = await LateUsageAsync(subscription, customer.Id, period, rated.Currency, lateCandidates, loaded, cancellationToken);
        List<RatedLine> lines = [.. rated.Lines, .. late];
        if (SpendCap.Adjustment(rated.Currency, lines, (await CapsAsync(cancellationToken)).GetValueOrDefault(customer.Id), period.Start, period.End) is { } capped)
        {
            lines.Add(capped);
        }

        return new Computed(rated.Currency, lines, [.. lines.Select(PhaseFees.ToInput)], checkedInvoices);
    }

    /// <summary>
    /// Usage that reached earlier, already finalized periods after they were billed: for each stretch and charge, the
    /// stretch's price now minus everything billed for it so far. A difference that rounds to nothing is left for later
    /// (it is not lost: the next comparison includes it); a negative one is not billed (corrections are credit notes).
    /// </summary>
    private async Task<(List<RatedLine> Lines, List<long> Checked)> LateUsageAsync(Subscription subscription, int customerId, BillingPeriod period, Currency currency, ILookup<int, LateCandidate>? lateCandidates, LoadedMeters loaded, CancellationToken cancellationToken)
    {
        var lines = new List<RatedLine>();
        var candidates = lateCandidates is not null
            ? [.. lateCandidates[subscription.Id].Where(i => i.PeriodStart < period.Start)]
            : await db.Invoices.AsNoTracking()
                .Where(i => i.SubscriptionId == subscription.Id && BilledStatuses.Contains(i.Status) && i.PeriodStart < period.Start)
                .Where(i => db.UsageRollups.Any(r => r.CustomerId == customerId
                    && r.BucketStart > i.PeriodStart.AddHours(-1) && r.BucketStart < i.PeriodEnd
                    && r.UpdatedAt > i.UsageBilledThrough))
                .OrderBy(i => i.PeriodStart)
                .Select(i => new LateCandidate(i.Id, i.SubscriptionId, i.PeriodStart, i.PeriodEnd))
                .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return (lines, []);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(subscription.TimeZone);
        foreach (var earlier in candidates)
        {
            var billed = await db.InvoiceLines.AsNoTracking()
                .Where(l => (l.Kind == LineKinds.Charge || l.Kind == LineKinds.LateUsage) && l.UsageFrom >= earlier.PeriodStart && l.UsageTo <= earlier.PeriodEnd)
                .Where(l => db.Invoices.Any(i => i.Id == l.InvoiceId && i.SubscriptionId == subscription.Id && BilledStatuses.Contains(i.Status)))
                .Select(l => new { l.PlanVersionId, l.UsageFrom, l.UsageTo, l.MeterCode, l.GroupKey, l.Quantity, l.ExactAmount })
                .ToListAsync(cancellationToken);
            var stretches = billed.Where(l => l.PlanVersionId is not null).Select(l => (VersionId: l.PlanVersionId!.Value, l.UsageFrom, l.UsageTo)).Distinct().ToList();
            foreach (var (versionId, from, to) in stretches)
            {
                var version = subscription.Phases.Select(p => p.PlanVersion).FirstOrDefault(v => v?.Id == versionId)
                    ?? await db.PlanVersions.AsNoTracking().SingleAsync(v => v.Id == versionId, cancellationToken);
                var terms = new PhaseTerms(version, PeriodRater.EffectiveCharges(version, subscription), from, to);
                var now = await rater.RateChargesAsync(customerId, terms, from, to, loaded, "", cancellationToken);
                foreach (var line in now)
                {
                    var already = billed.Where(b => b.PlanVersionId == versionId && b.UsageFrom == from && b.UsageTo == to && b.MeterCode == line.MeterCode && b.GroupKey == line.GroupKey).ToList();
                    var amount = line.ExactAmount - already.Sum(b => b.ExactAmount);
                    if (amount <= 0 || currency.RoundToMinorUnits(amount) == 0)
                    {
                        continue;
                    }

                    var description = $"Late usage: {line.Description}, {PeriodRater.Stretch(zone, from, to)}";
                    lines.Add(new RatedLine(LineKinds.LateUsage, description, line.MeterCode, line.GroupKey,
                        line.Quantity - already.Sum(b => b.Quantity), amount, line.Price, versionId, from, to));
                }
            }
        }

        return (lines, [.. candidates.Select(c => c.Id)]);
    }

    /// <summary>An earlier, billed invoice whose period has rollups updated after it was billed.</summary>
    private sealed record LateCandidate(long Id, int SubscriptionId, DateTime PeriodStart, DateTime PeriodEnd);

    /// <summary>The late-usage candidates of many subscriptions at once (each one's own customer: invoices carry it), oldest period first.</summary>
    private async Task<ILookup<int, LateCandidate>> LateCandidatesAsync(List<int> subscriptionIds, CancellationToken cancellationToken)
    {
        var candidates = await db.Invoices.AsNoTracking()
            .Where(i => subscriptionIds.Contains(i.SubscriptionId) && BilledStatuses.Contains(i.Status))
            .Where(i => db.UsageRollups.Any(r => r.CustomerId == i.CustomerId
                && r.BucketStart > i.PeriodStart.AddHours(-1) && r.BucketStart < i.PeriodEnd
                && r.UpdatedAt > i.UsageBilledThrough))
            .OrderBy(i => i.PeriodStart)
            .Select(i => new LateCandidate(i.Id, i.SubscriptionId, i.PeriodStart, i.PeriodEnd))
            .ToListAsync(cancellationToken);
        return candidates.ToLookup(c => c.SubscriptionId);
    }

    private async Task<LoadedMeters> MetersAsync(CancellationToken cancellationToken) =>
        meters ??= await LoadedMeters.LoadAsync(db, cancellationToken);

    /// <summary>Every customer's hard cap, read once per run (few customers set one): the cap in force when the invoice is made applies.</summary>
    private async Task<Dictionary<int, long?>> CapsAsync(CancellationToken cancellationToken) =>
        caps ??= await db.Budgets.AsNoTracking().Where(b => b.Cap != null).ToDictionaryAsync(b => b.CustomerId, b => b.Cap, cancellationToken);

    /// <summary>The hard cap of one customer as it stands now (null when none).</summary>
    public Task<long?> CapOfAsync(int customerId, CancellationToken cancellationToken = default) =>
        db.Budgets.AsNoTracking().Where(b => b.CustomerId == customerId).Select(b => b.Cap).FirstOrDefaultAsync(cancellationToken);

    private static List<InvoiceLine> ToEntities(IReadOnlyList<RatedLine> lines, InvoiceTotals totals) =>
        [.. lines.Select((line, index) => new InvoiceLine
        {
            Position = index + 1,
            Kind = line.Kind,
            Description = line.Description.Length > 500 ? line.Description[..500] : line.Description,
            MeterCode = line.MeterCode,
            GroupKey = line.GroupKey,
            Quantity = line.Quantity,
            ExactAmount = line.ExactAmount,
            Amount = totals.Lines[index].AmountMinorUnits,
            BreakdownJson = PeriodRater.BreakdownJson(line.Price),
            PlanVersionId = line.PlanVersionId,
            UsageFrom = line.UsageFrom,
            UsageTo = line.UsageTo,
        })];

    /// <summary>
    /// Subscriptions with their phases and plan versions, in two statements: as one, SQLite materializes the join of
    /// every phase with its version for each load, so loading one subscription grew with the number of subscriptions.
    /// </summary>
    private IQueryable<Subscription> WithTerms() => db.Subscriptions.Include(s => s.Phases).ThenInclude(p => p.PlanVersion).AsSplitQuery();

    private async Task<Subscription?> LoadSubscriptionAsync(int id, bool tracking, CancellationToken cancellationToken)
    {
        var query = WithTerms().Where(s => s.Id == id);
        return await (tracking ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken);
    }

    private async Task ReleaseAsync(int subscriptionId, CancellationToken cancellationToken) =>
        await db.Subscriptions.Where(s => s.Id == subscriptionId)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LeasedUntil, (DateTime?)null), cancellationToken);

}
