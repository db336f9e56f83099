using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Pricing;

namespace UsagePortal.Domain.Auditing;

/// <summary>Who made a change, as a customer reads it.</summary>
public enum ActivityActor
{
    /// <summary>Someone of the organisation itself (the e-mail is shown).</summary>
    Member,

    /// <summary>The operator's staff, in the console.</summary>
    Operator,

    /// <summary>The operator's systems, through the API.</summary>
    Api,

    /// <summary>Billing itself: an invoice using credit, credit lapsing.</summary>
    Billing,
}

/// <summary>One change on the account, as the customer's activity page lists it.</summary>
public sealed record ActivityRow(DateTime At, string Kind, string What, string? Details, ActivityActor By, string? Person);

/// <summary>
/// What changed on one organisation's account, newest first: plan changes, credits granted and used (or lapsed), credit
/// notes, voids, budget changes and the team, with when and by whom (a member, the operator in its console, the
/// operator's systems through the API, or billing itself). Only the organisation's own entries; staff e-mails are not shown.
/// </summary>
public sealed class ActivityQuery(UsagePortalDbContext db)
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["subscription.created"] = "Subscription started",
        ["subscription.plan_changed"] = "Plan changed",
        ["subscription.canceled"] = "Subscription canceled",
        ["credit.granted"] = "Credit granted",
        ["credit_note.issued"] = "Credit note issued",
        ["invoice.voided"] = "Invoice voided",
        ["invoice.finalized"] = "Invoice finalized early",
        ["budget.updated"] = "Budget and alerts changed",
        ["budget.webhook_secret_created"] = "Webhook signing secret replaced",
        ["user.invited"] = "Person invited",
        ["user.invitation_accepted"] = "Invitation accepted",
        ["user.removed"] = "Person removed",
        ["customer.updated"] = "Account details changed",
    };

    /// <summary>The newest <paramref name="take"/> changes of <paramref name="customerId"/>'s account.</summary>
    public async Task<IReadOnlyList<ActivityRow>> ListAsync(int customerId, int take = 100, CancellationToken cancellationToken = default)
    {
        take = Math.Clamp(take, 1, 1000);
        var actions = Titles.Keys.ToList();
        var audited = await db.AuditEntries.AsNoTracking()
            .Where(e => e.CustomerId == customerId && actions.Contains(e.Action))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(take)
            .ToListAsync(cancellationToken);
        var people = await db.Users.AsNoTracking().Where(u => u.CustomerId == customerId).Select(u => u.Email!).ToListAsync(cancellationToken);
        var members = people.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ledger = await db.CreditLedger.AsNoTracking()
            .Where(e => e.CustomerId == customerId && (e.Kind == CreditMovements.Applied || e.Kind == CreditMovements.Expired || e.Kind == CreditMovements.Restored))
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(take)
            .Join(db.CreditGrants.AsNoTracking(), e => e.CreditGrantId, g => g.Id, (e, g) => new { e.At, e.Kind, e.Amount, e.Note, g.Currency })
            .ToListAsync(cancellationToken);

        var rows = new List<ActivityRow>(audited.Count + ledger.Count);
        foreach (var entry in audited)
        {
            var by = entry.Actor.StartsWith("api-key:", StringComparison.Ordinal) ? ActivityActor.Api
                : entry.Actor == "system" ? ActivityActor.Billing
                : members.Contains(entry.Actor) ? ActivityActor.Member
                : ActivityActor.Operator;
            rows.Add(new ActivityRow(entry.At, entry.Action, Titles[entry.Action], entry.Details, by, by == ActivityActor.Member ? entry.Actor : null));
        }

        foreach (var movement in ledger)
        {
            var currency = Currency.FromCode(movement.Currency);
            var amount = $"{currency.FormatMinorUnits(Math.Abs(movement.Amount))} {currency.Code}";
            var what = movement.Kind switch
            {
                CreditMovements.Applied => $"Credit used: {amount}",
                CreditMovements.Expired => $"Credit expired: {amount}",
                _ => $"Credit restored: {amount}",
            };
            rows.Add(new ActivityRow(movement.At, $"credit.{movement.Kind}", what, movement.Note, ActivityActor.Billing, null));
        }

        return [.. rows.OrderByDescending(r => r.At).Take(take)];
    }
}
