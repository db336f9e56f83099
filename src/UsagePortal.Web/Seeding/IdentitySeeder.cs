using Microsoft.AspNetCore.Identity;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Seeding;

/// <summary>Makes sure the product's roles exist; runs at every start-up, in every environment.</summary>
internal sealed class IdentitySeeder(RoleManager<IdentityRole> roles)
{
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var result = await roles.CreateAsync(new IdentityRole(role));
                if (!result.Succeeded && !await roles.RoleExistsAsync(role))
                {
                    throw new InvalidOperationException($"Could not create role {role}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
                }
            }
        }
    }
}
