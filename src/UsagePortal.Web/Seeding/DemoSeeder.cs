using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UsagePortal.Data;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.Seeding;

/// <summary>
/// Seeds the demo of shared/PRODUCT.md ("Running it") on first run: an admin, the demo customer with an
/// owner and a member, and a second customer so that the admin area and tenancy have something to show.
/// Idempotent: it adds only what is missing.
/// </summary>
internal sealed class DemoSeeder(
    UsagePortalDbContext db,
    UserManager<ApplicationUser> users,
    IOptions<DemoOptions> options,
    TimeProvider clock,
    ILogger<DemoSeeder> logger)
{
    public async Task SeedAsync()
    {
        var demo = options.Value;
        if (string.IsNullOrWhiteSpace(demo.AdminEmail) || string.IsNullOrWhiteSpace(demo.CustomerEmail) || string.IsNullOrWhiteSpace(demo.CustomerExternalId))
        {
            logger.LogWarning("Demo seeding is on but the Demo section is incomplete; nothing was seeded.");
            return;
        }

        await EnsureUserAsync(demo.AdminEmail, demo.AdminPassword, "Operator Admin", Roles.Admin, customerId: null);

        var acme = await EnsureCustomerAsync(demo.CustomerExternalId, demo.CustomerName, "billing@acme.example", "USD", "America/New_York", "en-US", 0.0825m);
        await EnsureUserAsync(demo.CustomerEmail, demo.CustomerPassword, "Olivia Owner", Roles.CustomerOwner, acme.Id);
        if (!string.IsNullOrWhiteSpace(demo.MemberEmail))
        {
            await EnsureUserAsync(demo.MemberEmail, demo.CustomerPassword, "Max Member", Roles.CustomerMember, acme.Id);
        }

        var globex = await EnsureCustomerAsync("globex", "Globex GmbH", "finance@globex.example", "EUR", "Europe/Berlin", "de-DE", 0.19m);
        await EnsureUserAsync("owner@globex.example", demo.CustomerPassword, "Greta Globex", Roles.CustomerOwner, globex.Id);
    }

    private async Task<Customer> EnsureCustomerAsync(string externalId, string name, string email, string currency, string timeZone, string locale, decimal taxRate)
    {
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.ExternalId == externalId);
        if (customer is not null)
        {
            return customer;
        }

        customer = new Customer
        {
            ExternalId = externalId,
            Name = name,
            Email = email,
            Currency = currency,
            TimeZone = timeZone,
            Locale = locale,
            TaxRate = taxRate,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        logger.LogInformation("Seeded demo customer {ExternalId}.", externalId);
        return customer;
    }

    private async Task EnsureUserAsync(string email, string password, string displayName, string role, int? customerId)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = displayName,
            CustomerId = customerId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        Check(await users.CreateAsync(user, password), email);
        Check(await users.AddToRoleAsync(user, role), email);
        logger.LogInformation("Seeded demo user {Email} ({Role}).", email, role);
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not seed demo user {email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
