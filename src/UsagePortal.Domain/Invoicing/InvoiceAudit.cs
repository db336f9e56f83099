using UsagePortal.Data.Billing;
using UsagePortal.Domain.Auditing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>An invoice as the audit log records it before and after an admin acts on it (finalized early, voided).</summary>
public static class InvoiceAudit
{
    /// <summary>Its number, status and payment state, its amounts (with the currency) and the moments it changed status.</summary>
    public static AuditState StateOf(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var currency = Currency.FromCode(invoice.Currency);
        return new AuditState
        {
            { "number", invoice.Number },
            { "status", invoice.Status },
            { "payment state", invoice.PaymentState },
            { "total", Money(invoice.Total) },
            { "credits applied", Money(invoice.CreditsApplied) },
            { "finalized at", AuditValues.Instant(invoice.FinalizedAt) },
            { "voided at", AuditValues.Instant(invoice.VoidedAt) },
            { "void reason", invoice.VoidReason },
        };

        string Money(long minorUnits) => $"{currency.FormatMinorUnits(minorUnits)} {currency.Code}";
    }
}
