using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Tenancy;

/// <summary>Puts the user's organisation into the sign-in cookie, so that every page can scope its queries without a lookup.</summary>
internal sealed class CustomerClaimsPrincipalFactory(
    UserManager<ApplicationUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.CustomerId is { } customerId)
        {
            identity.AddClaim(new Claim(CustomerClaims.CustomerId, customerId.ToString(CultureInfo.InvariantCulture)));
        }

        identity.AddClaim(new Claim(CustomerClaims.DisplayName, user.DisplayName));
        return identity;
    }
}

public static class CustomerClaims
{
    public const string CustomerId = "usageportal:customer_id";
    public const string DisplayName = "usageportal:display_name";

    /// <summary>The organisation of a signed-in customer user; null for staff and anonymous users.</summary>
    public static int? GetCustomerId(this ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(CustomerId), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The organisation of a page's customer user. Portal pages are only reachable with a customer role, which always comes with one.</summary>
    public static int RequireCustomerId(this ClaimsPrincipal user) =>
        user.GetCustomerId() ?? throw new InvalidOperationException("A customer page was reached by a user without an organisation.");
}
