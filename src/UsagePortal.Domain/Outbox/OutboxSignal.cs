namespace UsagePortal.Domain.Outbox;

/// <summary>Wakes a background sweep on this node as soon as there is work, instead of at its next poll.</summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread woke it first; one wake-up is enough.
            }
        }
    }

    /// <summary>Waits until woken or until <paramref name="timeout"/>; answers whether it was woken (and takes the wake-up).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Wakes the outbox dispatcher when a message is queued.</summary>
public sealed class OutboxSignal : WakeSignal;
