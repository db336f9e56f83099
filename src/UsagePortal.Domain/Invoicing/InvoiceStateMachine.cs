using UsagePortal.Data.Billing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>What can happen to an invoice.</summary>
public enum InvoiceAction
{
    /// <summary>A draft's grace period ends (or an admin ends it early): it is numbered and becomes immutable.</summary>
    Finalize,

    /// <summary>An unpaid invoice is cancelled; the credit it consumed goes back.</summary>
    Void,

    /// <summary>An overcharge is acknowledged with a credit note (the status does not change).</summary>
    IssueCreditNote,

    /// <summary>The payment provider reports it paid.</summary>
    RecordPayment,

    /// <summary>The payment provider reports the payment failed.</summary>
    RecordPaymentFailure,
}

/// <summary>
/// The invoice's statuses and the transitions between them, in one place (PRODUCT.md: draft → finalized → paid |
/// payment_failed → (paid) | void). Every change of status is a compare-and-set on the statuses that allow it
/// (<see cref="WhereAllows"/>), so two nodes or two admins never both apply one; pages ask <see cref="Allows"/> which
/// actions to offer and <see cref="WhyNot"/> what to say instead. The stored wire names are <see cref="InvoiceStatuses"/>.
/// </summary>
public static class InvoiceStateMachine
{
    private static readonly Dictionary<(string From, InvoiceAction Action), string> Transitions = new()
    {
        [(InvoiceStatuses.Draft, InvoiceAction.Finalize)] = InvoiceStatuses.Finalized,
        [(InvoiceStatuses.Finalized, InvoiceAction.Void)] = InvoiceStatuses.Void,
        [(InvoiceStatuses.PaymentFailed, InvoiceAction.Void)] = InvoiceStatuses.Void,
        [(InvoiceStatuses.Finalized, InvoiceAction.IssueCreditNote)] = InvoiceStatuses.Finalized,
        [(InvoiceStatuses.Paid, InvoiceAction.IssueCreditNote)] = InvoiceStatuses.Paid,
        [(InvoiceStatuses.PaymentFailed, InvoiceAction.IssueCreditNote)] = InvoiceStatuses.PaymentFailed,
        [(InvoiceStatuses.Finalized, InvoiceAction.RecordPayment)] = InvoiceStatuses.Paid,
        [(InvoiceStatuses.PaymentFailed, InvoiceAction.RecordPayment)] = InvoiceStatuses.Paid,
        [(InvoiceStatuses.Finalized, InvoiceAction.RecordPaymentFailure)] = InvoiceStatuses.PaymentFailed,
    };

    /// <summary>Every status, in the order of an invoice's life.</summary>
    public static IReadOnlyList<string> All { get; } =
        [InvoiceStatuses.Draft, InvoiceStatuses.Finalized, InvoiceStatuses.Paid, InvoiceStatuses.PaymentFailed, InvoiceStatuses.Void];

    /// <summary>Statuses of an invoice that bills its period (numbered and owed, or settled): late usage compares against them.</summary>
    public static IReadOnlyList<string> Billed { get; } = [InvoiceStatuses.Finalized, InvoiceStatuses.Paid, InvoiceStatuses.PaymentFailed];

    public static bool IsKnown(string? status) => status is not null && All.Contains(status);

    public static bool Allows(string status, InvoiceAction action) => Transitions.ContainsKey((status, action));

    /// <summary>The status after <paramref name="action"/>; throws when the status does not allow it.</summary>
    public static string After(string status, InvoiceAction action) =>
        Transitions.TryGetValue((status, action), out var next)
            ? next
            : throw new InvalidOperationException($"An invoice in status '{status}' does not allow {action}.");

    /// <summary>The statuses from which <paramref name="action"/> may happen: the condition of its compare-and-set.</summary>
    public static IReadOnlyList<string> From(InvoiceAction action) => [.. Transitions.Keys.Where(k => k.Action == action).Select(k => k.From).Distinct()];

    /// <summary>The invoices whose status still allows <paramref name="action"/>: update these, and a changed count of 0 means someone else came first.</summary>
    public static IQueryable<Invoice> WhereAllows(this IQueryable<Invoice> invoices, InvoiceAction action)
    {
        var from = From(action).ToList();
        return invoices.Where(i => from.Contains(i.Status));
    }

    /// <summary>Why an invoice in <paramref name="status"/> does not allow <paramref name="action"/>, as a sentence for people; null when it does.</summary>
    public static string? WhyNot(string? status, InvoiceAction action) => status switch
    {
        _ when status is not null && Allows(status, action) => null,
        null => "There is no such invoice.",
        InvoiceStatuses.Draft when action is InvoiceAction.Void or InvoiceAction.IssueCreditNote =>
            "This invoice is a draft: drafts are recomputed until they are finalized, so there is nothing to correct yet.",
        InvoiceStatuses.Paid when action == InvoiceAction.Void => "This invoice is paid: issue a credit note instead.",
        InvoiceStatuses.Void when action == InvoiceAction.Void => "This invoice is already void.",
        InvoiceStatuses.Void when action == InvoiceAction.IssueCreditNote => "This invoice is void: it is no longer owed, so there is nothing to credit.",
        _ when action == InvoiceAction.Finalize => "This invoice is already finalized.",
        _ => $"An invoice in status {status} does not allow this.",
    };
}
