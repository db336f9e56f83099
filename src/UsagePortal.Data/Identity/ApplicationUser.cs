using Microsoft.AspNetCore.Identity;
using UsagePortal.Data.Customers;

namespace UsagePortal.Data.Identity;

/// <summary>A person who signs in: operator staff (no customer) or a member of one customer organisation.</summary>
public sealed class ApplicationUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>The organisation a customer user belongs to; null for operator staff.</summary>
    public int? CustomerId { get; set; }

    public Customer? Customer { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when an admin or owner invited the user; cleared once the invitation is accepted.</summary>
    public DateTime? InvitedAt { get; set; }

    /// <summary>Alerts fired up to this instant count as read for the user (the portal's bell); null before the first look.</summary>
    public DateTime? AlertsSeenAt { get; set; }
}
