using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using UsagePortal.Data;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Auditing;
using UsagePortal.Domain.Email;

namespace UsagePortal.Domain.Customers;

/// <summary>
/// There is no open self-registration: an admin or a customer owner invites a person into one organisation.
/// The user, the role, the audit entry and the invitation e-mail commit together or not at all.
/// </summary>
public sealed class Invitations(
    UsagePortalDbContext db,
    UserManager<ApplicationUser> users,
    EmailOutbox outbox,
    IPublicLinks urls,
    TimeProvider clock)
{
    /// <summary>
    /// Invites <paramref name="email"/> into organisation <paramref name="customerId"/>; answers the address the invitation
    /// went to, or the fields that are wrong (<c>Email</c>, <c>DisplayName</c>, <c>Role</c>).
    /// </summary>
    public async Task<Result<string>> InviteAsync(int customerId, string email, string displayName, string role, string actor)
    {
        var errors = new List<FieldError>();
        email = email.Trim();
        displayName = displayName.Trim();
        ApplicationUser? existing = null;
        if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(email) || email.Length == 0)
        {
            errors.Add(new("Email", "Enter a valid e-mail address."));
        }
        else
        {
            existing = await users.FindByEmailAsync(email);
        }

        if (displayName.Length is 0 or > 200)
        {
            errors.Add(new("DisplayName", "Enter a name of 1 to 200 characters."));
        }

        if (!Roles.IsCustomerRole(role))
        {
            errors.Add(new("Role", $"Choose {Roles.CustomerOwner} or {Roles.CustomerMember}."));
        }

        var customer = await db.Customers.FindAsync(customerId);
        if (customer is null)
        {
            errors.Add(new("CustomerId", "There is no such customer."));
        }

        if (errors.Count > 0)
        {
            return Result<string>.Invalid(errors);
        }

        if (existing is not null)
        {
            // The inviter gets the same answer as for a new address, or the form would tell anyone who may invite
            // whether an address (the operator's admin's, another customer's owner's) has an account. Nothing is
            // created or changed: an account belongs to one organisation. The address's owner, who alone may learn
            // that it has an account, gets a notice instead of an invitation, so a real attempt to add them is not lost.
            outbox.Enqueue(new EmailMessage(existing.Email ?? email, $"Someone tried to invite you to {customer!.Name} on UsagePortal",
                $"<p>Hello {WebUtility.HtmlEncode(existing.DisplayName)},</p><p>{WebUtility.HtmlEncode(actor)} tried to invite this address to {WebUtility.HtmlEncode(customer.Name)} on UsagePortal. " +
                "It already has an account, and an account belongs to one organisation, so nothing changed. If you need to see another organisation, ask to be invited with another address.</p>" +
                $"<p><a href=\"{WebUtility.HtmlEncode(urls.Link("Account/Login", new Dictionary<string, string?>()))}\">Sign in to UsagePortal</a> as usual.</p>"));
            db.Audit(clock, actor, "user.invite_existing", $"user:{email}", $"role={role}", customerId);
            await db.SaveChangesAsync();
            return Result<string>.Ok(email);
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            DisplayName = displayName,
            CustomerId = customerId,
            CreatedAt = now,
            InvitedAt = now,
        };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            return Result<string>.Invalid([.. created.Errors.Select(e => new FieldError("Email", e.Description))]);
        }

        var roleAdded = await users.AddToRoleAsync(user, role);
        if (!roleAdded.Succeeded)
        {
            return Result<string>.Invalid([.. roleAdded.Errors.Select(e => new FieldError("Role", e.Description))]);
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var code = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token));
        var link = urls.Link("Account/AcceptInvitation", new Dictionary<string, string?> { ["userId"] = user.Id, ["code"] = code });
        outbox.Enqueue(new EmailMessage(email, $"You are invited to {customer!.Name} on UsagePortal",
            $"<p>Hello {WebUtility.HtmlEncode(displayName)},</p><p>{WebUtility.HtmlEncode(actor)} invited you to see {WebUtility.HtmlEncode(customer.Name)}'s usage and invoices on UsagePortal.</p>" +
            $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">Accept the invitation and choose a password</a>. The link works for three days.</p>"));
        db.Audit(clock, actor, "user.invited", $"user:{email}", $"role={role}", customerId);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return Result<string>.Ok(email);
    }
}

