using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;

namespace UsagePortal.Web.Tests.Admin;

/// <summary>
/// The subscription section of /admin/customers/{id} over HTTP. Subscribing, changing plan and canceling happen in its
/// interactive panel: CustomerSubscriptionTests (component tests).
/// </summary>
public sealed class PlansCustomerSubscriptionTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private Task<int> CreateCustomerAsync(string currency = "USD", string timeZone = "UTC") =>
        portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var externalId = $"subs-{Guid.NewGuid():N}";
            var customer = new Customer { ExternalId = externalId, Name = "Subscriber " + externalId[5..13], Email = $"{externalId}@example.test", Currency = currency, TimeZone = timeZone, CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer.Id;
        });

    private Task<List<Subscription>> SubscriptionsAsync(int customerId) =>
        portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Subscriptions.AsNoTracking()
            .Where(s => s.CustomerId == customerId).ToListAsync());

    [Fact]
    public async Task ACustomerUserCannotOpenAnOrganisationsSubscription()
    {
        var customer = await CreateCustomerAsync();
        using var owner = portal.CreatePortalClient();
        await owner.SignInAsync(DemoSettings.CustomerEmail, DemoSettings.CustomerPassword);

        var open = await owner.GetAsync($"/admin/customers/{customer}");

        // The page (and its interactive subscription panel, which has no form post to aim at) is the admin's alone.
        Assert.Equal("/Account/AccessDenied", open.Headers.Location!.AbsolutePath());
        Assert.Empty(await SubscriptionsAsync(customer));
    }
}
