using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Auditing;

namespace UsagePortal.Domain.Customers;

/// <summary>A person of an organisation: invited (<see cref="InvitedAt"/> set until they accept) or active.</summary>
public sealed record TeamMemberRow(string Id, string DisplayName, string Email, string Role, DateTime? InvitedAt, DateTime CreatedAt)
{
    public bool Invited => InvitedAt is not null;

    public bool IsOwner => Role == Roles.CustomerOwner;
}

/// <summary>
/// The people of one organisation: who they are, and removing one. Every query is scoped by the organisation's id, so a
/// person of another organisation is not found, exactly like an id that does not exist.
/// </summary>
public sealed class TeamService(UsagePortalDbContext db, UserManager<ApplicationUser> users, TimeProvider clock)
{
    /// <summary>The people of organisation <paramref name="customerId"/>, owners first, then by name.</summary>
    public async Task<IReadOnlyList<TeamMemberRow>> MembersAsync(int customerId, CancellationToken cancellationToken = default) =>
        await QueryAsync(customerId, null, cancellationToken);

    /// <summary>One person of organisation <paramref name="customerId"/>; null when there is no such person in it.</summary>
    public async Task<TeamMemberRow?> MemberAsync(int customerId, string userId, CancellationToken cancellationToken = default) =>
        (await QueryAsync(customerId, userId, cancellationToken)).SingleOrDefault();

    /// <summary>
    /// Removes a person from organisation <paramref name="customerId"/>: their account is deleted (they can no longer sign
    /// in; a session they have open ends at its next revalidation) and the removal is audited, together. Nobody removes
    /// themselves (another owner can), and the last owner stays, so an organisation always keeps someone who can invite.
    /// </summary>
    /// <param name="actingUserId">The id of the person removing, when known.</param>
    /// <param name="actor">The e-mail of the person removing, for the audit log.</param>
    public async Task<Result<TeamMemberRow>> RemoveAsync(int customerId, string userId, string? actingUserId, string actor, CancellationToken cancellationToken = default)
    {
        var member = await MemberAsync(customerId, userId, cancellationToken);
        if (member is null)
        {
            return Result<TeamMemberRow>.NotFound("There is no such person in the organisation.");
        }

        if (member.Id == actingUserId || string.Equals(member.Email, actor, StringComparison.OrdinalIgnoreCase))
        {
            return Result<TeamMemberRow>.Conflict("id", "You cannot remove yourself; another owner can.");
        }

        if (member.IsOwner && (await QueryAsync(customerId, null, cancellationToken)).Count(m => m.IsOwner) <= 1)
        {
            return Result<TeamMemberRow>.Conflict("id", "The last owner of an organisation cannot be removed.");
        }

        var user = await users.FindByIdAsync(member.Id);
        if (user is null || user.CustomerId != customerId)
        {
            return Result<TeamMemberRow>.NotFound("There is no such person in the organisation.");
        }

        // The audit entry is saved by the user store's SaveChanges together with the deletion (one DbContext).
        db.Audit(clock, actor, "user.removed", $"user:{user.Email}", AuditChange.Removed(new AuditState
        {
            { "email", member.Email },
            { "name", member.DisplayName },
            { "role", member.Role },
            { "status", member.Invited ? "invited" : "active" },
        }), null, customerId);
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
        {
            db.ChangeTracker.Clear();
            return Result<TeamMemberRow>.Conflict("id", string.Join(" ", deleted.Errors.Select(e => e.Description)));
        }

        return Result<TeamMemberRow>.Ok(member);
    }

    private async Task<IReadOnlyList<TeamMemberRow>> QueryAsync(int customerId, string? userId, CancellationToken cancellationToken)
    {
        var query =
            from user in db.Users
            where user.CustomerId == customerId && (userId == null || user.Id == userId)
            join userRole in db.UserRoles on user.Id equals userRole.UserId
            join role in db.Roles on userRole.RoleId equals role.Id
            select new { user.Id, user.DisplayName, user.Email, Role = role.Name, user.InvitedAt, user.CreatedAt };
        var rows = await query.AsNoTracking().ToListAsync(cancellationToken);
        return rows
            .Select(r => new TeamMemberRow(r.Id, r.DisplayName, r.Email ?? "", r.Role ?? "", r.InvitedAt, r.CreatedAt))
            .OrderBy(r => r.IsOwner ? 0 : 1)
            .ThenBy(r => r.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }
}
