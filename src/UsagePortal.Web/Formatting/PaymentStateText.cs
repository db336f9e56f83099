using UsagePortal.Data.Payments;

namespace UsagePortal.Web.Formatting;

/// <summary>Where an invoice stands with the payment provider, in the words the portal and the console use.</summary>
public static class PaymentStateText
{
    public static string Describe(string? state) => state switch
    {
        null => "Not billed yet",
        PaymentStates.Queued => "Being sent for payment",
        PaymentStates.Retrying => "Being sent for payment (retrying)",
        PaymentStates.PushFailed => "Not sent for payment yet",
        PaymentStates.AwaitingPayment => "Awaiting payment",
        PaymentStates.Paid => "Paid",
        PaymentStates.Failed => "Payment failed",
        PaymentStates.Uncollectible => "Uncollectible",
        PaymentStates.Voided => "Void: nothing to pay",
        _ => state,
    };
}
