using System.Security.Claims;
using MudBlazor;
using UsagePortal.Domain.Customers;

namespace UsagePortal.Web.Components.Shared;

/// <summary>Removing a person from an organisation, as the Team page and a member's page do it: ask first, then say what happened.</summary>
public static class MemberRemoval
{
    /// <summary>Whether <paramref name="user"/> is <paramref name="member"/>: nobody removes themselves.</summary>
    public static bool IsSelf(ClaimsPrincipal user, TeamMemberRow member)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(member);
        return member.Id == user.FindFirstValue(ClaimTypes.NameIdentifier)
            || string.Equals(member.Email, user.Identity?.Name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Asks, then removes; true when the person was removed (the snackbar says so, or says why not).</summary>
    public static async Task<bool> ConfirmAndRemoveAsync(IDialogService dialogs, Operations operations, ISnackbar snackbar, ClaimsPrincipal user, int customerId, TeamMemberRow member, string organisation)
    {
        ArgumentNullException.ThrowIfNull(dialogs);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(snackbar);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(member);
        var confirmed = await dialogs.ShowMessageBoxAsync(
            $"Remove {member.DisplayName}?",
            $"{member.DisplayName} ({member.Email}) will no longer be able to sign in to {organisation}'s portal. To add them again, send a new invitation.",
            yesText: "Remove",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return false;
        }

        var actor = user.Identity?.Name ?? "";
        var actingUserId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var result = await operations.RunAsync<TeamService, Domain.Result<TeamMemberRow>>(team => team.RemoveAsync(customerId, member.Id, actingUserId, actor));
        if (!result.Succeeded)
        {
            snackbar.Add(result.Errors.FirstOrDefault()?.Reason ?? "The person could not be removed.", Severity.Error);
            return false;
        }

        snackbar.Add($"{member.DisplayName} was removed from {organisation}.", Severity.Success);
        return true;
    }
}
