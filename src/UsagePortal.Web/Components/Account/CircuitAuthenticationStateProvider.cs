using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UsagePortal.Data.Identity;
using UsagePortal.Web.Hosting;

namespace UsagePortal.Web.Components.Account;

/// <summary>
/// Re-checks an open circuit's user against the database every <c>Security:SessionRevalidationInterval</c> (a minute by
/// default), as the cookie is checked on each request: a removed member (the user is gone) or a session from before a
/// password change (the security stamp moved on) loses the circuit's sign-in, and the open page with it.
/// </summary>
internal sealed class CircuitAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopes,
    IOptions<IdentityOptions> identity,
    IOptions<SecurityOptions> security)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    // Zero would spin; the revalidation loop needs a positive delay.
    protected override TimeSpan RevalidationInterval =>
        security.Value.SessionRevalidationInterval > TimeSpan.Zero ? security.Value.SessionRevalidationInterval : TimeSpan.FromSeconds(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return await IsStillValidAsync(users, authenticationState.User);
    }

    private async Task<bool> IsStillValidAsync(UserManager<ApplicationUser> users, ClaimsPrincipal principal)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return false;
        }

        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }

        var stampInCookie = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        return stampInCookie == await users.GetSecurityStampAsync(user);
    }
}
