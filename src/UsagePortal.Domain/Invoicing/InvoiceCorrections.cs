using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Credits;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Invoicing;

/// <summary>
/// Corrections to finalized invoices, which are otherwise immutable: nothing here changes an invoice's lines or
/// totals. <b>Void</b> cancels an unpaid finalized invoice and gives back the credit it consumed. A <b>credit note</b>
/// (numbered <c>CN-000001</c>, gap-free) acknowledges an overcharge on a finalized, paid or failed invoice; its amount
/// becomes a credit grant, so the customer's next invoice consumes it.
/// </summary>
/// <remarks>
/// Each correction is one transaction whose first write is a conditional update of the invoice row (WHERE its status
/// still allows the correction). On PostgreSQL that row lock serialises corrections of one invoice: of two admins
/// voiding at once exactly one changes the row, and credit notes of one invoice are summed one after the other, so
/// they never add up to more than its total. On SQLite the single writer gives the same.
/// </remarks>
public sealed class InvoiceCorrections(UsagePortalDbContext db, TimeProvider clock)
{
    private const string AlreadyCredited =
        "This invoice already has a credit note: voiding it too would refund the customer twice. Issue another credit note for the rest instead.";

    /// <summary>
    /// Why an invoice with <paramref name="creditNotes"/> credit notes cannot be voided, as a sentence; null when it can.
    /// The status rule is <see cref="InvoiceStateMachine"/>'s; a credited invoice is not voided as well (a double refund).
    /// </summary>
    public static string? WhyNotVoid(string status, int creditNotes) =>
        InvoiceStateMachine.WhyNot(status, InvoiceAction.Void) ?? (creditNotes > 0 ? AlreadyCredited : null);

    /// <summary>What can still be credited on an invoice: its total less the credit notes already issued for it (minor units).</summary>
    public static long Creditable(Invoice invoice, IEnumerable<CreditNote> creditNotes)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(creditNotes);
        return Math.Max(0, invoice.Total - creditNotes.Sum(n => n.Amount));
    }

    /// <summary>Voids a finalized (unpaid) or payment-failed invoice and restores the credit it consumed to its grants.</summary>
    public async Task<Result<Invoice>> VoidAsync(long invoiceId, string? reason, string actor, CancellationToken cancellationToken = default)
    {
        var errors = new List<FieldError>();
        var trimmed = CreditService.CheckReason(reason, "reason", errors);
        if (!await db.Invoices.AnyAsync(i => i.Id == invoiceId, cancellationToken))
        {
            return Result<Invoice>.Failed(ResultKind.NotFound, new FieldError("invoice", $"No invoice {invoiceId}."));
        }

        if (errors.Count > 0)
        {
            return Result<Invoice>.Failed(ResultKind.Invalid, errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var result = await ApplyVoidAsync(invoiceId, trimmed, actor, now, cancellationToken);
            if (!result.Succeeded)
            {
                await transaction.RollbackAsync(cancellationToken);
                return result;
            }

            // The provider holding it voids it too (through the outbox, in this transaction), or it would go on collecting.
            if (result.Value!.ProviderInvoiceId is not null)
            {
                Payments.PaymentPushes.EnqueueVoid(db, invoiceId, actor, now);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        });
    }

    /// <summary>
    /// The void itself, in the caller's transaction (which it saves and commits, or rolls back when this fails): the
    /// compare-and-set on the status, the credit it consumed put back, the audit entry. A webhook mirroring a void made at
    /// the payment provider goes through here too.
    /// </summary>
    internal async Task<Result<Invoice>> ApplyVoidAsync(long invoiceId, string reason, string actor, DateTime now, CancellationToken cancellationToken)
    {
        // Locks the row while its status allows a void (an update that changes nothing yet), so that the state the audit
        // log records as "before" is the one this void replaces, not one a concurrent change replaced meanwhile.
        var locked = await db.Invoices
            .Where(i => i.Id == invoiceId)
            .WhereAllows(InvoiceAction.Void)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.Status, i => i.Status), cancellationToken);
        if (locked == 0)
        {
            return Result<Invoice>.Failed(ResultKind.Conflict, await StateErrorAsync(invoiceId, InvoiceAction.Void, cancellationToken));
        }

        var before = InvoiceAudit.StateOf(await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId, cancellationToken));
        await db.Invoices
            .Where(i => i.Id == invoiceId)
            .ExecuteUpdateAsync(set => set
                .SetProperty(i => i.Status, InvoiceStatuses.Void)
                .SetProperty(i => i.VoidedAt, now)
                .SetProperty(i => i.VoidReason, reason)
                .SetProperty(i => i.PaymentState, Data.Payments.PaymentStates.Voided), cancellationToken);

        if (await db.CreditNotes.AnyAsync(n => n.InvoiceId == invoiceId, cancellationToken))
        {
            return Result<Invoice>.Failed(ResultKind.Conflict, new FieldError("status", AlreadyCredited));
        }

        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Lines).SingleAsync(i => i.Id == invoiceId, cancellationToken);
        var restored = await RestoreCreditsAsync(invoice, now, cancellationToken);
        var currency = Currency.FromCode(invoice.Currency);
        var after = InvoiceAudit.StateOf(invoice);
        after.Add("credit restored", $"{currency.FormatMinorUnits(restored)} {currency.Code}");
        db.Audit(clock, actor, "invoice.voided", $"invoice:{invoice.Number}", AuditChange.Of(before, after),
            $"{reason}" + (restored > 0 ? $"; {currency.FormatMinorUnits(restored)} {currency.Code} of credit restored" : ""),
            invoice.CustomerId);
        return Result<Invoice>.Ok(invoice);
    }

    /// <summary>
    /// Issues a credit note of <paramref name="amount"/> (currency units) against a finalized, paid or payment-failed
    /// invoice, at most its total less the credit notes already issued for it; the amount becomes a credit grant.
    /// </summary>
    public async Task<Result<CreditNote>> IssueCreditNoteAsync(long invoiceId, string? amount, string? reason, string actor, CancellationToken cancellationToken = default)
    {
        var found = await db.Invoices.AsNoTracking().Where(i => i.Id == invoiceId).Select(i => new { i.Currency }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return Result<CreditNote>.Failed(ResultKind.NotFound, new FieldError("invoice", $"No invoice {invoiceId}."));
        }

        var currency = Currency.FromCode(found.Currency);
        var errors = new List<FieldError>();
        var minorUnits = CreditService.ParseAmount(amount, currency, "amount", errors);
        var trimmed = CreditService.CheckReason(reason, "reason", errors);
        if (errors.Count > 0)
        {
            return Result<CreditNote>.Failed(ResultKind.Invalid, errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Locks the invoice row while its status allows a credit note: concurrent notes of one invoice queue here.
            var locked = await db.Invoices
                .Where(i => i.Id == invoiceId)
                .WhereAllows(InvoiceAction.IssueCreditNote)
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.Status, i => i.Status), cancellationToken);
            if (locked == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Result<CreditNote>.Failed(ResultKind.Conflict, await StateErrorAsync(invoiceId, InvoiceAction.IssueCreditNote, cancellationToken));
            }

            var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId, cancellationToken);
            var issued = await db.CreditNotes.Where(n => n.InvoiceId == invoiceId).SumAsync(n => (long?)n.Amount, cancellationToken) ?? 0;
            var available = invoice.Total - issued;
            if (minorUnits > available)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Result<CreditNote>.Failed(ResultKind.Invalid, new FieldError("amount", available <= 0
                    ? $"Nothing is left to credit on {invoice.Number}: its total of {currency.FormatMinorUnits(invoice.Total)} {currency.Code} is already credited."
                    : $"amount can be at most {currency.FormatMinorUnits(available)} {currency.Code}: the invoice total {currency.FormatMinorUnits(invoice.Total)} less {currency.FormatMinorUnits(issued)} already credited."));
            }

            var number = $"CN-{await NextNumberAsync(db, DocumentSequence.CreditNotes, cancellationToken):000000}";
            var balance = await CreditService.BalanceAsync(db, invoice.CustomerId, now, cancellationToken);
            var grantReason = $"Credit note {number} on {invoice.Number}: {trimmed}";
            var grant = new CreditGrant
            {
                CustomerId = invoice.CustomerId,
                Currency = invoice.Currency,
                Amount = minorUnits,
                Remaining = minorUnits,
                Reason = grantReason.Length <= CreditService.MaxReasonLength ? grantReason : grantReason[..(CreditService.MaxReasonLength - 1)] + "…",
                CreatedAt = now,
                CreatedBy = actor,
            };
            db.CreditGrants.Add(grant);
            await db.SaveChangesAsync(cancellationToken);

            var note = new CreditNote
            {
                Number = number,
                InvoiceId = invoiceId,
                CustomerId = invoice.CustomerId,
                Amount = minorUnits,
                Reason = trimmed,
                CreditGrantId = grant.Id,
                CreatedAt = now,
                CreatedBy = actor,
            };
            db.CreditNotes.Add(note);
            db.CreditLedger.Add(new CreditLedgerEntry
            {
                CreditGrantId = grant.Id,
                CustomerId = invoice.CustomerId,
                Kind = CreditMovements.Granted,
                Amount = minorUnits,
                BalanceAfter = minorUnits,
                InvoiceId = invoiceId,
                At = now,
                Note = $"Credit note {number} on {invoice.Number}",
            });
            var money = $"{currency.FormatMinorUnits(minorUnits)} {currency.Code}";
            var credited = AuditChange.Of(
                new AuditState { { "credited", Money(issued) }, { "creditable", Money(available) } },
                new AuditState
                {
                    { "credited", Money(issued + minorUnits) },
                    { "creditable", Money(available - minorUnits) },
                    { "credit note", number },
                    { "amount", money },
                    { "reason", trimmed },
                });
            db.Audit(clock, actor, "credit_note.issued", $"credit-note:{number}", credited, $"{money} on {invoice.Number}: {trimmed}", invoice.CustomerId);
            db.Audit(clock, actor, "credit.granted", $"credit-grant:{grant.Id}", CreditService.GrantChange(currency, balance, grant), $"{money} from credit note {number}", invoice.CustomerId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Result<CreditNote>.Ok(note);
        });

        string Money(long minorUnits) => $"{currency.FormatMinorUnits(minorUnits)} {currency.Code}";
    }

    /// <summary>
    /// Advances a gap-free document counter inside the current transaction and answers the new value. The row stays
    /// locked until the transaction ends, so a number is taken only by a transaction that commits: a rollback gives it
    /// back. One statement that SQLite and PostgreSQL both run.
    /// </summary>
    public static async Task<long> NextNumberAsync(UsagePortalDbContext db, string sequence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Take a document number inside the transaction that uses it.");
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = """UPDATE "DocumentSequences" SET "LastValue" = "LastValue" + 1 WHERE "Name" = @name RETURNING "LastValue" """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "name";
        parameter.Value = sequence;
        command.Parameters.Add(parameter);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull
            ? throw new InvalidOperationException($"The document sequence '{sequence}' does not exist.")
            : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Puts back on its grants the credit an invoice consumed (less anything already put back); answers the total.</summary>
    private async Task<long> RestoreCreditsAsync(Invoice invoice, DateTime now, CancellationToken cancellationToken)
    {
        var consumed = await db.CreditLedger
            .Where(e => e.InvoiceId == invoice.Id && (e.Kind == CreditMovements.Applied || e.Kind == CreditMovements.Restored))
            .GroupBy(e => e.CreditGrantId)
            .Select(g => new { GrantId = g.Key, Net = g.Sum(e => e.Amount) })
            .ToListAsync(cancellationToken);
        var total = 0L;
        foreach (var grant in consumed.Where(c => c.Net < 0).OrderBy(c => c.GrantId))
        {
            var amount = -grant.Net;
            await db.CreditGrants.Where(g => g.Id == grant.GrantId)
                .ExecuteUpdateAsync(set => set.SetProperty(g => g.Remaining, g => g.Remaining + amount), cancellationToken);
            // Read inside the transaction that holds the row: no other movement of this grant can come in between.
            var remaining = await db.CreditGrants.Where(g => g.Id == grant.GrantId).Select(g => g.Remaining).SingleAsync(cancellationToken);
            db.CreditLedger.Add(new CreditLedgerEntry
            {
                CreditGrantId = grant.GrantId,
                CustomerId = invoice.CustomerId,
                Kind = CreditMovements.Restored,
                Amount = amount,
                BalanceAfter = remaining,
                InvoiceId = invoice.Id,
                At = now,
                Note = $"Invoice {invoice.Number} voided",
            });
            total += amount;
        }

        return total;
    }

    /// <summary>Why the invoice's current status refuses the correction, read after the conditional update changed nothing.</summary>
    private async Task<FieldError[]> StateErrorAsync(long invoiceId, InvoiceAction action, CancellationToken cancellationToken)
    {
        var status = await db.Invoices.Where(i => i.Id == invoiceId).Select(i => i.Status).SingleOrDefaultAsync(cancellationToken);
        return [new FieldError("status", InvoiceStateMachine.WhyNot(status, action) ?? $"No invoice {invoiceId}.")];
    }
}
