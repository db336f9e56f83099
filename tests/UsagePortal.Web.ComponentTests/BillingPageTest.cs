using System.Globalization;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using UsagePortal.Data;
using UsagePortal.Data.Billing;
using UsagePortal.Data.Customers;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Meters;
using UsagePortal.Domain.Plans;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Metering;

namespace UsagePortal.Web.ComponentTests;

/// <summary>
/// What the tests of the invoice, catalog and console pages share: the layout's providers (dialogs, snackbars,
/// popovers) rendered beside the page, a record of NotFound, readers of what MudBlazor shows, and billing data of
/// their own (customers, invoices written straight to the database, credit, meters, plans, subscriptions).
/// </summary>
public abstract class BillingPageTest(ComponentHost host) : PageTest(host)
{
    public static readonly DateTime PeriodStart = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The text of the open dialog.</summary>
    protected string DialogText()
    {
        var dialogs = Dialogs;
        return Normalize(dialogs.WaitForElement(".mud-dialog").TextContent);
    }

    /// <summary>Every snackbar message on screen.</summary>
    protected string SnackbarText() => Text(Snackbars);

    /// <summary>The error MudBlazor shows under the input marked <c>data-testid=<paramref name="testId"/></c>; empty when none.</summary>
    protected static string ErrorAt<T>(IRenderedComponent<T> cut, string testId)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        var control = cut.Find($"[data-testid={testId}]").Closest(".mud-input-control") ?? throw new InvalidOperationException($"{testId} is not in a MudBlazor input control.");
        return Normalize(control.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "");
    }

    /// <summary>The visible text of a render (or of one of its elements), spaces collapsed, no-break spaces read as spaces.</summary>
    protected static string Text<T>(IRenderedComponent<T> cut)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        var text = new System.Text.StringBuilder();
        foreach (var node in cut.Nodes)
        {
            AppendText(node, text);
        }

        return Normalize(text.ToString());
    }

    protected static string Text(IElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        var text = new System.Text.StringBuilder();
        AppendText(element, text);
        return Normalize(text.ToString());
    }

    /// <summary>Text as a reader sees it: elements (cells, blocks) are apart, the text nodes of one element run together.</summary>
    private static void AppendText(INode node, System.Text.StringBuilder text)
    {
        if (node.NodeType == NodeType.Text)
        {
            text.Append(node.TextContent);
            return;
        }

        if (node is IElement { LocalName: "script" or "style" })
        {
            return;
        }

        text.Append(' ');
        foreach (var child in node.ChildNodes)
        {
            AppendText(child, text);
        }

        text.Append(' ');
    }

    protected static string Normalize(string text) =>
        string.Join(' ', text.Replace('\u00a0', ' ').Replace('\u202f', ' ').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Types into the MudBlazor input marked <paramref name="testId"/> (its change event, as a browser sends it on leaving the field).</summary>
    protected static void Type<T>(IRenderedComponent<T> cut, string testId, string value)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        cut.Find($"[data-testid={testId}]").Change(value);
    }

    /// <summary>The value of the MudBlazor input marked <paramref name="testId"/> (a select's chosen value, a text area's text).</summary>
    protected static string ValueOf<T>(IRenderedComponent<T> cut, string testId)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        var marked = cut.Find($"[data-testid={testId}]");
        var input = marked.LocalName is "input" or "textarea" ? marked : marked.Closest(".mud-input-control")?.QuerySelector("input, textarea");
        return input switch
        {
            null => "",
            { LocalName: "textarea" } => input.GetAttribute("value") ?? input.TextContent,
            _ => input.GetAttribute("value") ?? "",
        };
    }

    /// <summary>Opens the MudSelect marked <paramref name="testId"/> and picks the option whose text is <paramref name="text"/>.</summary>
    protected void Choose<T>(IRenderedComponent<T> cut, string testId, string text)
        where T : IComponent
    {
        ArgumentNullException.ThrowIfNull(cut);
        cut.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.MouseDown();
        var popovers = Popovers;
        popovers.WaitForAssertion(() => Assert.Contains(popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == text));
        popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == text).Click();
    }

    protected Task<T> WithDbAsync<T>(Func<UsagePortalDbContext, Task<T>> read) =>
        Host.WithServicesAsync(services => read(services.GetRequiredService<UsagePortalDbContext>()));

    protected Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> use)
        where TService : notnull =>
        Host.WithServicesAsync(services => use(services.GetRequiredService<TService>()));

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    protected Task<Customer> CreateCustomerAsync(string currency = "USD", string locale = "en-US", string timeZone = "UTC", string prefix = "bill") =>
        WithDbAsync(async db =>
        {
            var externalId = Unique(prefix);
            var customer = new Customer { ExternalId = externalId, Name = $"Customer {externalId}", Email = $"{externalId}@example.test", Currency = currency, Locale = locale, TimeZone = timeZone, CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            return customer;
        });

    /// <summary>Stores an invoice of <paramref name="customerId"/> with its lines (<see cref="TestInvoices"/>).</summary>
    protected Task<Invoice> CreateInvoiceAsync(int customerId, string status = InvoiceStatuses.Finalized, IReadOnlyList<TestLine>? lines = null,
        long creditsApplied = 0, decimal taxRate = 0m, DateTime? periodStart = null, string currency = "USD") =>
        WithDbAsync(db => TestInvoices.StoreAsync(db, customerId, status, lines, creditsApplied, taxRate, periodStart ?? PeriodStart, currency));

    /// <summary>A grant of <paramref name="amount"/> and the part of it <paramref name="invoiceId"/> used, as the invoicer records it.</summary>
    protected Task<CreditGrant> CreateGrantUsedByAsync(int customerId, long amount, long invoiceId, string currency = "USD") =>
        WithDbAsync(async db =>
        {
            var grant = new CreditGrant { CustomerId = customerId, Currency = currency, Amount = amount, Remaining = 0, Reason = "test grant", CreatedAt = DateTime.UtcNow.AddDays(-60), CreatedBy = "tests" };
            db.CreditGrants.Add(grant);
            await db.SaveChangesAsync();
            db.CreditLedger.Add(new CreditLedgerEntry { CreditGrantId = grant.Id, CustomerId = customerId, Kind = CreditMovements.Granted, Amount = amount, BalanceAfter = amount, At = grant.CreatedAt });
            db.CreditLedger.Add(new CreditLedgerEntry { CreditGrantId = grant.Id, CustomerId = customerId, Kind = CreditMovements.Applied, Amount = -amount, BalanceAfter = 0, InvoiceId = invoiceId, At = DateTime.UtcNow.AddDays(-1) });
            await db.SaveChangesAsync();
            return grant;
        });

    protected Task<Invoice> InvoiceAsync(long id) => WithDbAsync(db => db.Invoices.AsNoTracking().SingleAsync(i => i.Id == id));

    /// <summary>How many grants, ledger entries, credit notes and audit entries a customer has: "nothing stored" compares these.</summary>
    protected Task<(int Grants, int Ledger, int Notes, int Audit)> CountsAsync(int customerId) =>
        WithDbAsync(async db => (
            await db.CreditGrants.CountAsync(g => g.CustomerId == customerId),
            await db.CreditLedger.CountAsync(e => e.CustomerId == customerId),
            await db.CreditNotes.CountAsync(n => n.CustomerId == customerId),
            await db.AuditEntries.CountAsync(a => a.CustomerId == customerId)));

    /// <summary>A counting meter of its own; answers its code.</summary>
    protected Task<string> CreateMeterAsync(string? code = null) =>
        Host.WithServicesAsync(async services =>
        {
            code ??= $"m_{Guid.NewGuid():N}"[..20];
            var (saved, errors) = await services.GetRequiredService<MeterService>().SaveAsync(
                new MeterDefinition { Code = code, Name = code, EventType = $"{code}.used", Aggregation = MeterAggregation.Count }, "tests");
            Assert.True(saved is not null, string.Join("; ", errors));
            return code;
        });

    /// <summary>A plan with a flat fee and one standard charge on a meter of its own; answers its code.</summary>
    protected Task<string> CreatePlanAsync(string currency = "USD", string flatFee = "20") =>
        Host.WithServicesAsync(async services =>
        {
            var meter = await CreateMeterAsync();
            var code = Unique("plan");
            var (saved, errors) = await services.GetRequiredService<PlanService>().PublishAsync(
                $$$"""{"code":"{{{code}}}","name":"Plan {{{code}}}","currency":"{{{currency}}}","flatFee":"{{{flatFee}}}","charges":[{"meter":"{{{meter}}}","model":"standard","properties":{"unitAmount":"0.01"}}]}""", "tests");
            Assert.True(saved is not null, string.Join("; ", errors));
            return code;
        });

    /// <summary>
    /// A real draft the invoicer made: a new customer on a flat-fee plan from next month, whose first period is closed
    /// by an invoicer that believes it is the month after. Its grace period lies in the future, so the app's own
    /// invoicer leaves it a draft.
    /// </summary>
    protected async Task<Invoice> CreateRealDraftAsync()
    {
        var customer = await CreateCustomerAsync();
        var plan = await CreatePlanAsync();
        var now = DateTime.UtcNow;
        var start = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        await Host.WithServicesAsync(async services =>
        {
            var outcome = await services.GetRequiredService<SubscriptionService>().SubscribeAsync(
                new SubscribeRequest(customer.ExternalId, plan, null, start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), null, null, null), "tests");
            Assert.True(outcome.Value is not null, string.Join("; ", outcome.Errors));
            var runner = ActivatorUtilities.CreateInstance<InvoiceRunner>(services, new TestClock(new DateTimeOffset(start.AddMonths(1).AddMinutes(5), TimeSpan.Zero)));
            await runner.CloseDuePeriodsAsync();
        });
        return await WithDbAsync(db => db.Invoices.AsNoTracking().SingleAsync(i => i.CustomerId == customer.Id && i.Status == InvoiceStatuses.Draft));
    }
}
