using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;

namespace UsagePortal.Domain.Customers;

public sealed record TeamMemberRow(string Id, string DisplayName, string Email, string Role, DateTime? InvitedAt, DateTime CreatedAt)
{
    public bool Invited => InvitedAt is not null;
}

public static class TeamQueries
{
    /// <summary>The people of one organisation, owners first. Every query here is scoped by <paramref name="customerId"/>.</summary>
    public static async Task<IReadOnlyList<TeamMemberRow>> MembersAsync(this UsagePortalDbContext db, int customerId, string? userId = null)
    {
        var query =
            from user in db.Users
            where user.CustomerId == customerId && (userId == null || user.Id == userId)
            join userRole in db.UserRoles on user.Id equals userRole.UserId
            join role in db.Roles on userRole.RoleId equals role.Id
            select new { user.Id, user.DisplayName, user.Email, Role = role.Name, user.InvitedAt, user.CreatedAt };
        var rows = await query.ToListAsync();
        return rows
            .Select(r => new TeamMemberRow(r.Id, r.DisplayName, r.Email ?? "", r.Role ?? "", r.InvitedAt, r.CreatedAt))
            .OrderBy(r => r.Role == Data.Identity.Roles.CustomerOwner ? 0 : 1)
            .ThenBy(r => r.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }
}
