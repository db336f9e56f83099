using System.Globalization;
using System.Security.Claims;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Data.Identity;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Plans;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Metering;
using UsagePortal.Web.Tenancy;

namespace UsagePortal.Web.ComponentTests.Admin;

/// <summary>
/// What the tests of the people and customer pages share: the layout's providers (dialogs, snackbars, popovers) rendered
/// beside the page, a sign-in that carries the user's id as the app's does, a record of NotFound, and data of their own.
/// </summary>
public abstract class PeopleTestBase(ComponentHost host, Action<IServiceCollection>? services = null) : PageTest(host, services)
{
    /// <summary>Signs in as a customer user with the claims the app's sign-in gives (the user's id among them).</summary>
    protected void SignInAsPerson(int customerId, string email, string role, string userId, string displayName = "Someone")
    {
        SignInAsCustomer(customerId, email, role, displayName);
        Authorization.SetClaims(
            new Claim(CustomerClaims.CustomerId, customerId.ToString(CultureInfo.InvariantCulture)),
            new Claim(CustomerClaims.DisplayName, displayName),
            new Claim(ClaimTypes.NameIdentifier, userId));
    }

    /// <summary>The text of the open dialog.</summary>
    protected string DialogText() => Dialogs.WaitForElement(".mud-dialog").TextContent;

    /// <summary>Every snackbar message shown so far.</summary>
    protected string SnackbarText() => Snackbars.Markup;

    /// <summary>The error MudBlazor shows under the input marked <c>data-testid=<paramref name="testId"/></c>; empty when none.</summary>
    protected static string ErrorAt<T>(IRenderedComponent<T> cut, string testId)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        return ErrorAt(cut.Find($"[data-testid={testId}]"));
    }

    protected static string ErrorAt(IElement input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var control = input.Closest(".mud-input-control") ?? throw new InvalidOperationException("The input is not in a MudBlazor input control.");
        return control.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";
    }

    /// <summary>The visible text of a render, no-break spaces (between an amount and its currency) read as spaces.</summary>
    protected static string Text<T>(IRenderedComponent<T> cut)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        return string.Concat(cut.Nodes.Select(n => n.TextContent)).Replace('\u00a0', ' ').Replace('\u202f', ' ');
    }

    /// <summary>Opens the MudSelect marked <paramref name="testId"/> and picks the option whose text starts with <paramref name="text"/>.</summary>
    protected void Choose<T>(IRenderedComponent<T> cut, string testId, string text)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        // A MudSelect opens on mouse down.
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.QuerySelector(".mud-input")!.MouseDown();
        var popovers = Popovers;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim().StartsWith(text, StringComparison.Ordinal)));
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim().StartsWith(text, StringComparison.Ordinal)).Click();
    }

    protected Task<Customer> CreateCustomerAsync(string currency = "USD", string timeZone = "UTC", string locale = "en-US", string prefix = "cust") =>
        Host.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            var externalId = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
            var customer = new Customer { ExternalId = externalId, Name = $"Customer {externalId}", Email = $"{externalId}@example.test", Currency = currency, Locale = locale, TimeZone = timeZone, CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer;
        });

    /// <summary>A plan with one standard charge on a meter of its own; answers its code.</summary>
    protected async Task<string> CreatePlanAsync(string currency = "USD", string flatFee = "20") =>
        (await CreatePlanWithMeterAsync(currency, flatFee)).Plan;

    /// <summary>
    /// A plan with one standard charge (0.01 a unit) on a counting meter of its own, whose events are of type
    /// <c>{meter}.used</c>; answers the plan's code and the meter's.
    /// </summary>
    protected Task<(string Plan, string Meter)> CreatePlanWithMeterAsync(string currency = "USD", string flatFee = "20") =>
        Host.WithServicesAsync(async services =>
        {
            var meter = $"m_{Guid.NewGuid():N}"[..20];
            var (savedMeter, _) = await services.GetRequiredService<MeterService>().SaveAsync(
                new MeterDefinition { Code = meter, Name = meter, EventType = $"{meter}.used", Aggregation = MeterAggregation.Count }, "tests");
            Assert.NotNull(savedMeter);
            var code = $"plan-{Guid.NewGuid():N}"[..17];
            var (saved, errors) = await services.GetRequiredService<PlanService>().PublishAsync(
                $$$"""{"code":"{{{code}}}","name":"Plan {{{code}}}","currency":"{{{currency}}}","flatFee":"{{{flatFee}}}","charges":[{"meter":"{{{meter}}}","model":"standard","properties":{"unitAmount":"0.01"}}]}""", "tests");
            Assert.True(saved is not null, string.Join("; ", errors));
            return (code, meter);
        });

    protected Task<int> SubscribeAsync(Customer customer, string plan, DateTime start) =>
        Host.WithServicesAsync(async services =>
        {
            var outcome = await services.GetRequiredService<SubscriptionService>()
                .SubscribeAsync(new SubscribeRequest(customer.ExternalId, plan, null, start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, null, null), "tests");
            Assert.True(outcome.Value is not null, string.Join("; ", outcome.Errors));
            return outcome.Value.Subscription.Id;
        });

    protected Task<List<Subscription>> SubscriptionsAsync(int customerId) =>
        WithDbAsync(db => db.Subscriptions.AsNoTracking()
            .Include(s => s.Phases).ThenInclude(p => p.PlanVersion).ThenInclude(v => v!.Plan)
            .Where(s => s.CustomerId == customerId).ToListAsync());

    protected Task<T> WithDbAsync<T>(Func<UsagePortalDbContext, Task<T>> read) =>
        Host.WithServicesAsync(services => read(services.GetRequiredService<UsagePortalDbContext>()));

    protected Task<string?> UserIdAsync(string email) =>
        WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleOrDefaultAsync());

    protected Task<int> UserCountAsync() => WithDbAsync(db => db.Users.CountAsync());

    /// <summary>A person of <paramref name="customerId"/> made for one test, so that removing them leaves the demo alone.</summary>
    protected async Task<ApplicationUser> CreatePersonAsync(int customerId, string role = Roles.CustomerMember, string? name = null)
    {
        var email = $"person-{Guid.NewGuid():N}"[..19] + "@people.test";
        var user = await Host.CreateUserAsync(email, "Person!Password1", role, customerId);
        if (name is not null)
        {
            await WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.DisplayName, name)));
            user.DisplayName = name;
        }

        return user;
    }
}
