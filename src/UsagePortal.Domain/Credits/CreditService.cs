using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Domain.Auditing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Credits;

/// <summary>A customer's credit: what is left to spend, every grant, and every movement newest first.</summary>
public sealed record CreditStatement(Currency Currency, long Balance, IReadOnlyList<CreditGrant> Grants, IReadOnlyList<CreditLedgerEntry> Ledger);

/// <summary>
/// Credit grants and their ledger. An admin grants an amount (with a reason and an optional expiry); finalized
/// invoices consume it (the invoicer writes those <see cref="CreditMovements.Applied"/> entries); what is left when a
/// grant expires lapses. <see cref="CreditLedgerEntry.BalanceAfter"/> is the grant's own remaining amount after the
/// movement: a per-grant figure stays right however many movements of one customer happen at once.
/// </summary>
public sealed class CreditService(UsagePortalDbContext db, TimeProvider clock)
{
    public const int MaxReasonLength = 500;

    /// <summary>Grants credit to a customer in its currency; answers the grant, or the fields that are wrong (nothing stored).</summary>
    /// <param name="amount">In currency units, invariant culture ("25", "25.50"): a whole number of minor units, above zero.</param>
    public async Task<Result<CreditGrant>> GrantAsync(int customerId, string? amount, string? reason, DateTime? expiresAt, string actor, CancellationToken cancellationToken = default)
    {
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId, cancellationToken)
            ?? throw new InvalidOperationException($"No customer {customerId}.");
        var currency = Currency.FromCode(customer.Currency);
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new List<FieldError>();
        var minorUnits = ParseAmount(amount, currency, "amount", errors);
        var trimmedReason = CheckReason(reason, "reason", errors);
        if (expiresAt is { } expiry && expiry.ToUniversalTime() <= now)
        {
            errors.Add(new FieldError("expiresAt", "expiresAt must be in the future."));
        }

        if (errors.Count > 0)
        {
            return Result<CreditGrant>.Invalid(errors);
        }

        var grant = new CreditGrant
        {
            CustomerId = customerId,
            Currency = currency.Code,
            Amount = minorUnits,
            Remaining = minorUnits,
            Reason = trimmedReason,
            ExpiresAt = expiresAt?.ToUniversalTime(),
            CreatedAt = now,
            CreatedBy = actor,
        };
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var balance = await BalanceAsync(db, customerId, now, cancellationToken);
            db.CreditGrants.Add(grant);
            await db.SaveChangesAsync(cancellationToken);
            db.CreditLedger.Add(new CreditLedgerEntry
            {
                CreditGrantId = grant.Id,
                CustomerId = customerId,
                Kind = CreditMovements.Granted,
                Amount = minorUnits,
                BalanceAfter = minorUnits,
                At = now,
                Note = trimmedReason,
            });
            db.Audit(clock, actor, "credit.granted", $"credit-grant:{grant.Id}", GrantChange(currency, balance, grant),
                $"{currency.FormatMinorUnits(minorUnits)} {currency.Code}" + (grant.ExpiresAt is { } until ? $", expires {until:O}" : "") + $": {trimmedReason}",
                customerId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return Result<CreditGrant>.Ok(grant);
    }

    /// <summary>The customer's balance (remaining amounts of grants that have not expired), its grants and its ledger, newest first.</summary>
    public async Task<CreditStatement> GetAsync(int customerId, CancellationToken cancellationToken = default)
    {
        var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == customerId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var grants = await db.CreditGrants.AsNoTracking().Where(g => g.CustomerId == customerId).OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id).ToListAsync(cancellationToken);
        var ledger = await db.CreditLedger.AsNoTracking().Where(e => e.CustomerId == customerId).OrderByDescending(e => e.At).ThenByDescending(e => e.Id).ToListAsync(cancellationToken);
        return new CreditStatement(Currency.FromCode(customer.Currency), Balance(grants, now), grants, ledger);
    }

    /// <summary>The customer's balance alone (see <see cref="GetAsync"/>), in its currency, without the ledger.</summary>
    public async Task<(Currency Currency, long Balance)> BalanceAsync(int customerId, CancellationToken cancellationToken = default)
    {
        var currency = await db.Customers.AsNoTracking().Where(c => c.Id == customerId).Select(c => c.Currency).SingleAsync(cancellationToken);
        var grants = await db.CreditGrants.AsNoTracking().Where(g => g.CustomerId == customerId && g.Remaining > 0).ToListAsync(cancellationToken);
        return (Currency.FromCode(currency), Balance(grants, clock.GetUtcNow().UtcDateTime));
    }

    private static long Balance(IEnumerable<CreditGrant> grants, DateTime now) => grants.Where(g => IsAvailable(g, now)).Sum(g => g.Remaining);

    /// <summary>The numbers of the customer's invoices among <paramref name="invoiceIds"/> (null for a draft), for the ledger's links.</summary>
    public async Task<IReadOnlyDictionary<long, string?>> InvoiceNumbersAsync(int customerId, IReadOnlyCollection<long> invoiceIds, CancellationToken cancellationToken = default) =>
        invoiceIds.Count == 0
            ? new Dictionary<long, string?>()
            : await db.Invoices.AsNoTracking().Where(i => i.CustomerId == customerId && invoiceIds.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.Number, cancellationToken);

    /// <summary>The customer's balance at <paramref name="now"/>, read in the database: what is left of the grants that have not expired.</summary>
    public static async Task<long> BalanceAsync(UsagePortalDbContext db, int customerId, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.CreditGrants
            .Where(g => g.CustomerId == customerId && g.Remaining > 0 && (g.ExpiresAt == null || g.ExpiresAt > now))
            .SumAsync(g => (long?)g.Remaining, cancellationToken) ?? 0;
    }

    /// <summary>
    /// A grant as the audit log records it: the customer's balance before (<paramref name="balanceBefore"/>) and after it,
    /// and the grant itself after.
    /// </summary>
    public static AuditChange GrantChange(Currency currency, long balanceBefore, CreditGrant grant)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(grant);
        return AuditChange.Of(
            new AuditState { { "balance", Money(balanceBefore) } },
            new AuditState
            {
                { "balance", Money(balanceBefore + grant.Amount) },
                { "granted", Money(grant.Amount) },
                { "reason", grant.Reason },
                { "expires at", AuditValues.Instant(grant.ExpiresAt) },
            });

        string Money(long minorUnits) => $"{currency.FormatMinorUnits(minorUnits)} {currency.Code}";
    }

    /// <summary>Whether a grant can still be spent at <paramref name="now"/>.</summary>
    public static bool IsAvailable(CreditGrant grant, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return grant.Remaining > 0 && (grant.ExpiresAt is null || grant.ExpiresAt > now);
    }

    /// <summary>
    /// Lapses what is left of every grant that expired by <paramref name="now"/>: remaining set to zero and an
    /// <see cref="CreditMovements.Expired"/> entry written, in one transaction. Each grant is changed only if its
    /// remaining amount is still the one read (a conditional update), so nodes sweeping at once, or an invoice
    /// consuming the grant meanwhile, never lapse an amount twice; a grant skipped here is seen by the next sweep.
    /// Answers how many grants lapsed.
    /// </summary>
    public async Task<int> ExpireDueAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        var due = await db.CreditGrants.AsNoTracking()
            .Where(g => g.ExpiresAt != null && g.ExpiresAt <= now && g.Remaining > 0)
            .Select(g => new { g.Id, g.CustomerId, g.Remaining, g.Currency })
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            var lapsed = 0;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var grant in due)
            {
                var changed = await db.CreditGrants
                    .Where(g => g.Id == grant.Id && g.Remaining == grant.Remaining)
                    .ExecuteUpdateAsync(set => set.SetProperty(g => g.Remaining, 0L), cancellationToken);
                if (changed == 0)
                {
                    continue;
                }

                lapsed++;
                db.CreditLedger.Add(new CreditLedgerEntry
                {
                    CreditGrantId = grant.Id,
                    CustomerId = grant.CustomerId,
                    Kind = CreditMovements.Expired,
                    Amount = -grant.Remaining,
                    BalanceAfter = 0,
                    At = now,
                    Note = "Expired unused",
                });
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return lapsed;
        });
    }

    /// <summary>
    /// An amount in currency units to minor units: required, a plain invariant decimal, above zero, and a whole number
    /// of the currency's minor units (no rounding: 10.005 USD is refused, not rounded). Adds an error naming
    /// <paramref name="field"/> otherwise, and answers 0.
    /// </summary>
    public static long ParseAmount(string? text, Currency currency, string field, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(currency);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new FieldError(field, $"{field} is required."));
            return 0;
        }

        if (!decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(new FieldError(field, $"{field} must be a decimal number such as 25.50 (a point for decimals, no thousands separators)."));
            return 0;
        }

        if (value <= 0)
        {
            errors.Add(new FieldError(field, $"{field} must be greater than zero."));
            return 0;
        }

        try
        {
            return currency.ToMinorUnitsExact(value);
        }
        catch (ArgumentException)
        {
            errors.Add(new FieldError(field, currency.MinorUnitExponent == 0
                ? $"{field} must be a whole number of {currency.Code} (it has no minor unit)."
                : $"{field} must have at most {currency.MinorUnitExponent} decimals in {currency.Code}."));
        }
        catch (OverflowException)
        {
            errors.Add(new FieldError(field, $"{field} is too large."));
        }

        return 0;
    }

    /// <summary>A required reason of at most <see cref="MaxReasonLength"/> characters, trimmed.</summary>
    public static string CheckReason(string? reason, string field, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            errors.Add(new FieldError(field, $"{field} is required: say why, for the customer and the audit log."));
        }
        else if (trimmed.Length > MaxReasonLength)
        {
            errors.Add(new FieldError(field, $"{field} must be at most {MaxReasonLength} characters."));
        }

        return trimmed;
    }
}
