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

        if (displayName.Length == 0)
        {
            errors.Add(new("DisplayName", "Enter the person's name."));
        }
        else if (displayName.Length > 200)
        {
            errors.Add(new("DisplayName", "The name can be at most 200 characters."));
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
            // Nothing changed, and the log says only what the inviter asked for, as the inviter's own answer does.
            db.Audit(clock, actor, "user.invite_existing", $"user:{email}", AuditChange.None, $"role={role}", customerId);
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
        db.Audit(clock, actor, "user.invited", $"user:{email}", AuditChange.Created(new AuditState
        {
            { "email", email },
            { "name", displayName },
            { "role", role },
            { "status", "invited" },
        }), $"role={role}", customerId);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return Result<string>.Ok(email);
    }
    /// <summary>
    /// The person an invitation link is for, when <paramref name="code"/> is proven to be <paramref name="userId"/>'s
    /// pending invitation; null otherwise. A made-up or damaged link answers null whether or not the user id exists, so
    /// nobody is greeted and no address is shown before the code is proven.
    /// </summary>
    public async Task<InvitedPerson?> FindInvitationAsync(string? userId, string? code) =>
        await VerifyAsync(userId, code) is { } verified ? new InvitedPerson(verified.User.DisplayName, verified.User.Email ?? "") : null;

    /// <summary>
    /// Accepts an invitation: sets the password, confirms the address (the link came to it), ends the invitation and
    /// audits it, together. Answers the address to sign in with; NotFound for a link that is not a pending invitation
    /// (the same answer as an unknown user), Invalid with <c>Password</c> when the password is refused.
    /// </summary>
    public async Task<Result<string>> AcceptAsync(string? userId, string? code, string password)
    {
        if (await VerifyAsync(userId, code) is not { } verified)
        {
            return Result<string>.NotFound("This invitation link is invalid or has expired, or it was already used.");
        }

        var user = verified.User;
        var reset = await users.ResetPasswordAsync(user, verified.Token, password);
        if (!reset.Succeeded)
        {
            return Result<string>.Invalid([.. reset.Errors.Select(e => new FieldError("Password", e.Description))]);
        }

        var before = new AuditState { { "status", "invited" }, { "email confirmed", Flag(user.EmailConfirmed) } };
        user.EmailConfirmed = true;
        user.InvitedAt = null;
        // Saved by the user store's SaveChanges together with the user (one DbContext).
        db.Audit(clock, user.Email ?? "", "user.invitation_accepted", $"user:{user.Email}",
            AuditChange.Of(before, new AuditState { { "status", "active" }, { "email confirmed", Flag(user.EmailConfirmed) } }), null, user.CustomerId);
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded)
        {
            db.ChangeTracker.Clear();
            return Result<string>.Invalid([.. updated.Errors.Select(e => new FieldError("Password", e.Description))]);
        }

        return Result<string>.Ok(user.Email ?? "");
    }

    private async Task<(ApplicationUser User, string Token)?> VerifyAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || Decode(code) is not { } token)
        {
            return null;
        }

        var user = await users.FindByIdAsync(userId);
        return user is { InvitedAt: not null }
            && await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<ApplicationUser>.ResetPasswordTokenPurpose, token)
            ? (user, token)
            : null;
    }

    /// <summary>The reset token in an invitation link's code (base64url of its UTF-8); null when the code is not that.</summary>
    private static string Flag(bool value) => value ? "yes" : "no";

    private static string? Decode(string code)
    {
        try
        {
            return Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Whom an invitation link greets, once its code is proven.</summary>
public sealed record InvitedPerson(string DisplayName, string Email);
