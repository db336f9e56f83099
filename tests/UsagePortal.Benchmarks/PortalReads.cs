using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using UsagePortal.Data;
using UsagePortal.Data.Budgets;
using UsagePortal.Data.Identity;
using UsagePortal.Testing;

namespace UsagePortal.Benchmarks;

/// <summary>
/// Two reads of issue 11's bars at each scale: the entitlement answer (the operator's hot path) over the API, and the
/// dashboard's first server render (the prerendered <c>/app</c> of a signed-in owner, figures included) over HTTP.
/// </summary>
internal static class PortalReads
{
    public const string OwnerEmail = "owner0@bench.example";
    public const string OwnerPassword = "Bench!Owner0";

    /// <summary>
    /// Caps for the first ten customers (set after loading: the evaluator then looks at them once a minute, as it would in
    /// production) and an owner for customer 0 who signs in.
    /// </summary>
    public static async Task PrepareAsync(Func<UsagePortalDbContext> context)
    {
        await using var db = context();
        var ids = await db.Customers.Where(c => c.ExternalId.StartsWith("bench-")).OrderBy(c => c.Id).Select(c => c.Id).Take(10).ToListAsync();
        var existing = await db.Budgets.Select(b => b.CustomerId).ToListAsync();
        foreach (var id in ids.Except(existing))
        {
            db.Budgets.Add(new Budget { CustomerId = id, Cap = 100_000_000_00, UpdatedAt = DateTime.UtcNow });
        }

        if (!await db.Users.AnyAsync(u => u.Email == OwnerEmail))
        {
            var user = new ApplicationUser
            {
                UserName = OwnerEmail, NormalizedUserName = OwnerEmail.ToUpperInvariant(), Email = OwnerEmail, NormalizedEmail = OwnerEmail.ToUpperInvariant(),
                EmailConfirmed = true, DisplayName = "Bench owner", CustomerId = ids[0], CreatedAt = DateTime.UtcNow, SecurityStamp = Guid.NewGuid().ToString("N"),
            };
            user.PasswordHash = new PasswordHasher<ApplicationUser>().HashPassword(user, OwnerPassword);
            db.Users.Add(user);
            var role = await db.Roles.SingleAsync(r => r.Name == Roles.CustomerOwner);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = role.Id });
        }

        await db.SaveChangesAsync();
    }

    /// <summary>p50 and p99 of <paramref name="queries"/> entitlement answers for customers picked at random, after a warm-up.</summary>
    public static async Task<(double P50, double P99)> EntitlementAsync(HttpClient http, int customers, int queries)
    {
        var random = new Random(11);
        return await TimeAsync(queries, async () =>
        {
            using var response = await http.GetAsync($"api/v1/customers/{EventGenerator.CustomerId(random.Next(customers))}/entitlement");
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
        });
    }

    /// <summary>p50 and p99 of <paramref name="renders"/> first server renders of the dashboard for customer 0's owner.</summary>
    public static async Task<(double P50, double P99)> DashboardRenderAsync(Uri address, int renders)
    {
        using var client = new PortalClient(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = address });
        await client.SignInAsync(OwnerEmail, OwnerPassword);
        return await TimeAsync(renders, async () =>
        {
            using var response = await client.GetAsync("app");
            var html = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || !html.Contains("data-testid=\"dashboard\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"GET /app answered {(int)response.StatusCode} without the dashboard.");
            }
        });
    }

    /// <summary>p50 and p99 of <paramref name="count"/> timed calls after a warm-up of a tenth of them (at least ten).</summary>
    internal static async Task<(double P50, double P99)> TimeAsync(int count, Func<Task> call)
    {
        for (var i = 0; i < Math.Max(10, count / 10); i++)
        {
            await call();
        }

        var timings = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var timer = Stopwatch.StartNew();
            await call();
            timings.Add(timer.Elapsed.TotalMilliseconds);
        }

        timings.Sort();
        return (timings[(int)(timings.Count * 0.50)], timings[Math.Min(timings.Count - 1, (int)Math.Ceiling(timings.Count * 0.99) - 1)]);
    }
}
