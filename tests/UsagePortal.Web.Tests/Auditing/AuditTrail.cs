using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data.Auditing;
using UsagePortal.Web.Tests.Billing;

namespace UsagePortal.Web.Tests.Auditing;

/// <summary>An audit entry as stored, with its before and after read as plain JSON (not through the code that wrote them).</summary>
public sealed record StoredAudit(AuditEntry Entry, IReadOnlyList<KeyValuePair<string, string?>>? Before, IReadOnlyList<KeyValuePair<string, string?>>? After)
{
    /// <summary>A field's value before; fails when the state before lacks the field.</summary>
    public string? Was(string field) => Value(Before, field, "before");

    /// <summary>A field's value after; fails when the state after lacks the field.</summary>
    public string? Is(string field) => Value(After, field, "after");

    private string? Value(IReadOnlyList<KeyValuePair<string, string?>>? state, string field, string side)
    {
        Assert.True(state is not null, $"{Entry.Action} has no state {side}.");
        var found = state.Where(f => f.Key == field).ToList();
        Assert.True(found.Count == 1, $"{Entry.Action} has no field '{field}' {side}: {(side == "before" ? Entry.Before : Entry.After)}");
        return found[0].Value;
    }
}

/// <summary>Reads the newest audit entry about a subject from the test host's database.</summary>
public static class AuditTrail
{
    /// <summary>The newest entry about <paramref name="subject"/>, which must be of <paramref name="action"/>.</summary>
    public static async Task<StoredAudit> NewestAsync(this SubscriptionsPortal portal, string subject, string action)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var entry = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Subject == subject).OrderByDescending(e => e.Id).FirstOrDefaultAsync());
        Assert.True(entry is not null, $"No audit entry about {subject}.");
        Assert.Equal(action, entry.Action);
        return Stored(entry);
    }

    /// <summary>The newest entry of <paramref name="action"/> about organisation <paramref name="customerId"/> (for subjects the test does not know, a grant's id).</summary>
    public static async Task<StoredAudit> NewestAsync(this SubscriptionsPortal portal, int customerId, string action)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var entry = await portal.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.CustomerId == customerId && e.Action == action).OrderByDescending(e => e.Id).FirstOrDefaultAsync());
        Assert.True(entry is not null, $"No {action} entry about customer {customerId}.");
        return Stored(entry);
    }

    private static StoredAudit Stored(AuditEntry entry) => new(entry, Parse(entry.Before), Parse(entry.After));

    private static List<KeyValuePair<string, string?>>? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return [.. document.RootElement.EnumerateObject().Select(p =>
        {
            Assert.True(p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null, $"'{p.Name}' is not text: {json}");
            return new KeyValuePair<string, string?>(p.Name, p.Value.GetString());
        })];
    }
}
