using UsagePortal.Domain.Outbox;


namespace UsagePortal.Domain.Invoicing;

/// <summary>
/// Wakes the invoicer on this node when something makes a period due now (a subscription started in the past, a
/// cancellation with a final invoice), so that it does not wait for its next one-minute sweep.
/// </summary>
public sealed class InvoicingSignal : WakeSignal;
