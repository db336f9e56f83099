using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Domain.ApiKeys;
using UsagePortal.Domain.Invoicing;
using UsagePortal.Domain.Subscriptions;
using UsagePortal.Web.Tests.Api;
using UsagePortal.Web.Tests.Billing;
using static UsagePortal.Web.Tests.Api.MeteringApi;
using static UsagePortal.Web.Tests.Billing.SubscriptionsApi;

namespace UsagePortal.Web.Tests.Auditing;

/// <summary>
/// Every admin action the API offers is audited with the operator key that made it and the state before and after:
/// the newest entry about the thing changed names the key and holds the old and new values of what changed. The clock
/// reads 15 March 2026, 12:00 UTC.
/// </summary>
[Collection(SubscriptionsApiCollection.Name)]
public sealed class AuditDiffApiTests(SubscriptionsPortal portal) : IAsyncLifetime
{
    private const string NowText = "2026-03-15T12:00:00Z";

    private HttpClient api = null!;
    private string actor = "";

    public async Task InitializeAsync()
    {
        portal.Clock.Now = SubscriptionsPortal.DefaultNow;
        // A key of its own, so that the actor recorded is this key and no other.
        var created = await portal.WithServicesAsync(services => services.GetRequiredService<ApiKeyService>().CreateAsync(Unique.Name("audited backend"), "setup@usageportal.test"));
        actor = $"api-key:{created.Value!.Stored.Id}";
        api = await portal.ApiClientAsync(created.Value.Key);
        await portal.InvoicerWokenAsync();
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    private async Task<StoredAudit> NewestAsync(string subject, string action)
    {
        var audit = await portal.NewestAsync(subject, action);
        Assert.Equal(actor, audit.Entry.Actor);
        return audit;
    }

    private async Task<StoredAudit> NewestAsync(int customerId, string action)
    {
        var audit = await portal.NewestAsync(customerId, action);
        Assert.Equal(actor, audit.Entry.Actor);
        return audit;
    }

    private static async Task PostAsync(HttpClient client, string url, object body, HttpStatusCode status)
    {
        using var response = await client.PostJsonAsync(url, body);
        await ReadAsync(response, status);
    }

    [Fact]
    public async Task ACustomerCreatedRecordsEveryFieldAfterAndAnUpdateEveryFieldBeforeAndAfter()
    {
        var externalId = Unique.Name("audit-cust");

        await PostAsync(api, "/api/v1/customers", new { externalId, name = "Before Ltd", email = "billing@before.example", currency = "USD", timeZone = "UTC", taxRate = "0" }, HttpStatusCode.Created);

        var created = await NewestAsync($"customer:{externalId}", "customer.created");
        Assert.Null(created.Before);
        Assert.Equal(
            [new("externalId", externalId), new("name", "Before Ltd"), new("email", "billing@before.example"), new("currency", "USD"), new("timeZone", "UTC"), new("locale", "en-US"), new KeyValuePair<string, string?>("taxRate", "0")],
            created.After);

        await PostAsync(api, "/api/v1/customers", new { externalId, name = "After GmbH", timeZone = "Europe/Berlin", taxRate = "0.19" }, HttpStatusCode.OK);

        var updated = await NewestAsync($"customer:{externalId}", "customer.updated");
        Assert.Equal(("Before Ltd", "After GmbH"), (updated.Was("name"), updated.Is("name")));
        Assert.Equal(("UTC", "Europe/Berlin"), (updated.Was("timeZone"), updated.Is("timeZone")));
        Assert.Equal(("0", "0.19"), (updated.Was("taxRate"), updated.Is("taxRate")));
        Assert.Equal(("billing@before.example", "billing@before.example"), (updated.Was("email"), updated.Is("email")));
        Assert.Equal(created.After!.Select(f => f.Key), updated.Before!.Select(f => f.Key));
        Assert.Equal("name=After GmbH, timeZone=Europe/Berlin, taxRate=0.19", updated.Entry.Details);
    }

    [Fact]
    public async Task AMeterSavedRecordsItsDefinitionBeforeAndAfterEvenWhenItsVersionIsReplacedInPlace()
    {
        var code = Unique.MeterCode("audited");
        var eventType = Unique.EventType("audit");
        await api.CreateMeterAsync(Meter(code, eventType, "count"));

        var created = await NewestAsync($"meter:{code}", "meter.created");
        Assert.Null(created.Before);
        Assert.Equal(($"Meter {code}", "1", "count", eventType, null), (created.Is("name"), created.Is("version"), created.Is("aggregation"), created.Is("event type"), created.Is("property")));

        // Nothing was counted yet: the version is replaced, and "before" is still what it was.
        using (var changedResponse = await api.PostMeterAsync(Meter(code, eventType, "unique_count", "user_id", new() { ["region"] = ["eu", "us"] }, ["region"])))
        {
            Assert.Equal(HttpStatusCode.OK, changedResponse.StatusCode);
        }

        var changed = await NewestAsync($"meter:{code}", "meter.changed");
        Assert.Equal(("count", "unique_count"), (changed.Was("aggregation"), changed.Is("aggregation")));
        Assert.Equal((null, "user_id"), (changed.Was("property"), changed.Is("property")));
        Assert.Equal((null, "region in eu, us"), (changed.Was("filters"), changed.Is("filters")));
        Assert.Equal((null, "region"), (changed.Was("group by"), changed.Is("group by")));
        Assert.Equal(("1", "1"), (changed.Was("version"), changed.Is("version")));

        var renamed = Meter(code, eventType, "unique_count", "user_id", new() { ["region"] = ["eu", "us"] }, ["region"]);
        renamed["name"] = "Active regions";
        using (var renameResponse = await api.PostMeterAsync(renamed))
        {
            Assert.Equal(HttpStatusCode.OK, renameResponse.StatusCode);
        }

        var rename = await NewestAsync($"meter:{code}", "meter.renamed");
        Assert.Equal(($"Meter {code}", "Active regions"), (rename.Was("name"), rename.Is("name")));
    }

    [Fact]
    public async Task APlanPublishedRecordsThePreviousVersionsTermsAgainstTheNewOnesWithOneFieldPerCharge()
    {
        var meter = await api.CreateCountMeterAsync();
        var code = PlanCode("audit");
        await api.PublishPlanAsync(Plan(code, "USD", "10", Standard(meter, "0.01")));

        var first = await NewestAsync($"plan:{code}", "plan.created");
        Assert.Null(first.Before);
        Assert.Equal(("1", "10.00 USD", $"{meter}: 0.01 USD per unit"), (first.Is("version"), first.Is("flat fee"), first.Is($"charge {meter}")));

        var second = Plan(code, "USD", "12.5", Standard(meter, "0.02"));
        second["name"] = "Renamed plan";
        await api.PublishPlanAsync(second);

        var published = await NewestAsync($"plan:{code}", "plan.published");
        Assert.Equal(("1", "2"), (published.Was("version"), published.Is("version")));
        Assert.Equal(($"Plan {code}", "Renamed plan"), (published.Was("name"), published.Is("name")));
        Assert.Equal(("10.00 USD", "12.50 USD"), (published.Was("flat fee"), published.Is("flat fee")));
        Assert.Equal(($"{meter}: 0.01 USD per unit", $"{meter}: 0.02 USD per unit"), (published.Was($"charge {meter}"), published.Is($"charge {meter}")));
        Assert.Equal(("USD", "USD"), (published.Was("currency"), published.Is("currency")));
        Assert.Equal(("0.00 USD", "0.00 USD"), (published.Was("minimum commitment"), published.Is("minimum commitment")));
    }

    [Fact]
    public async Task ASubscriptionsCreationPlanChangesAndCancellationRecordItsPlanScheduleAndEndBeforeAndAfter()
    {
        var (planA, _) = await api.CreateSimplePlanAsync();
        var (planB, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();
        var id = (await api.SubscribeAsync(new { customer, plan = planA, startDate = "2026-01-10" })).GetProperty("id").GetInt32();
        var subject = $"subscription:{id}";

        var created = await NewestAsync(subject, "subscription.created");
        Assert.Null(created.Before);
        Assert.Equal((customer, $"{planA} version 1", "2026-01-10T00:00:00Z", "active", "calendar"),
            (created.Is("customer"), created.Is("plan"), created.Is("starts at"), created.Is("status"), created.Is("billing anchor")));

        await api.ChangePlanAsync(id, planB, ChangeTiming.PeriodEnd);

        var scheduled = await NewestAsync(subject, "subscription.plan_changed");
        Assert.Equal(($"{planA} version 1", $"{planA} version 1"), (scheduled.Was("plan"), scheduled.Is("plan")));
        Assert.Equal((null, $"{planB} version 1 from 2026-04-01T00:00:00Z"), (scheduled.Was("plan changes"), scheduled.Is("plan changes")));
        Assert.Equal("period_end: 2026-04-01T00:00:00Z", scheduled.Is("takes effect"));

        await api.ChangePlanAsync(id, planB, ChangeTiming.Now);

        var moved = await NewestAsync(subject, "subscription.plan_changed");
        Assert.Equal(($"{planA} version 1", $"{planB} version 1"), (moved.Was("plan"), moved.Is("plan")));
        Assert.Equal(($"{planB} version 1 from 2026-04-01T00:00:00Z", null), (moved.Was("plan changes"), moved.Is("plan changes")));
        Assert.Equal($"now: {NowText}", moved.Is("takes effect"));

        await api.CancelAsync(id, ChangeTiming.PeriodEnd);

        var canceled = await NewestAsync(subject, "subscription.canceled");
        Assert.Equal(("active", "canceled"), (canceled.Was("status"), canceled.Is("status")));
        Assert.Equal((null, "2026-04-01T00:00:00Z"), (canceled.Was("ends at"), canceled.Is("ends at")));
        Assert.Equal((null, NowText), (canceled.Was("canceled at"), canceled.Is("canceled at")));
        Assert.Equal(($"{planB} version 1", $"{planB} version 1"), (canceled.Was("plan"), canceled.Is("plan")));
    }

    [Fact]
    public async Task ACreditGrantRecordsTheBalanceBeforeAndAfterAndTheGrant()
    {
        var customer = await portal.CreateBillingCustomerAsync("EUR");

        await PostAsync(api, $"/api/v1/customers/{customer.ExternalId}/credits", new { amount = "25.5", reason = "Outage credit" }, HttpStatusCode.Created);

        var first = await NewestAsync(customer.Id, "credit.granted");
        Assert.Equal(("0.00 EUR", "25.50 EUR"), (first.Was("balance"), first.Is("balance")));
        Assert.Equal(("25.50 EUR", "Outage credit", null), (first.Is("granted"), first.Is("reason"), first.Is("expires at")));

        await PostAsync(api, $"/api/v1/customers/{customer.ExternalId}/credits", new { amount = "10", reason = "Welcome", expiresAt = "2026-12-31T00:00:00Z" }, HttpStatusCode.Created);

        var second = await NewestAsync(customer.Id, "credit.granted");
        Assert.Equal(("25.50 EUR", "35.50 EUR"), (second.Was("balance"), second.Is("balance")));
        Assert.Equal(("10.00 EUR", "2026-12-31T00:00:00Z"), (second.Is("granted"), second.Is("expires at")));
    }

    [Fact]
    public async Task AVoidRecordsTheInvoicesStatusBeforeAndAfter()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        await PostAsync(api, $"/api/v1/invoices/{invoice.Id}/void", new { reason = "Billed twice" }, HttpStatusCode.OK);

        var voided = await NewestAsync($"invoice:{invoice.Number}", "invoice.voided");
        Assert.Equal(("finalized", "void"), (voided.Was("status"), voided.Is("status")));
        Assert.Equal((null, "voided"), (voided.Was("payment state"), voided.Is("payment state")));
        Assert.Equal((null, "Billed twice"), (voided.Was("void reason"), voided.Is("void reason")));
        Assert.Equal((null, NowText), (voided.Was("voided at"), voided.Is("voided at")));
        Assert.Equal((invoice.Number, invoice.Number), (voided.Was("number"), voided.Is("number")));
        Assert.Equal(("100.00 USD", "100.00 USD"), (voided.Was("total"), voided.Is("total")));
    }

    [Fact]
    public async Task ACreditNoteRecordsWhatWasCreditedBeforeAndAfterAndTheCreditItGrants()
    {
        var customer = await portal.CreateBillingCustomerAsync("USD");
        var invoice = await portal.CreateInvoiceAsync(customer.Id);

        await PostAsync(api, $"/api/v1/invoices/{invoice.Id}/credit-notes", new { amount = "5", reason = "Goodwill" }, HttpStatusCode.Created);

        var note = await NewestAsync(customer.Id, "credit_note.issued");
        Assert.Equal(("0.00 USD", "5.00 USD"), (note.Was("credited"), note.Is("credited")));
        Assert.Equal(("100.00 USD", "95.00 USD"), (note.Was("creditable"), note.Is("creditable")));
        Assert.Equal(("5.00 USD", "Goodwill"), (note.Is("amount"), note.Is("reason")));
        Assert.Matches("^CN-[0-9]{6}$", note.Is("credit note"));
        var grant = await NewestAsync(customer.Id, "credit.granted");
        Assert.Equal(("0.00 USD", "5.00 USD", "5.00 USD"), (grant.Was("balance"), grant.Is("balance"), grant.Is("granted")));
    }

    [Fact]
    public async Task FinalizingADraftEarlyRecordsDraftBeforeAndFinalizedAfter()
    {
        var (plan, _) = await api.CreateSimplePlanAsync();
        var customer = await api.CreateApiCustomerAsync();
        var subscription = (await api.SubscribeAsync(new { customer, plan, startDate = "2026-02-01" })).GetProperty("id").GetInt32();
        await portal.WithServicesAsync(services => services.GetRequiredService<InvoiceRunner>().CloseDuePeriodsAsync());
        var draft = await portal.WithDbAsync(db => db.Invoices.AsNoTracking().SingleAsync(i => i.SubscriptionId == subscription));
        Assert.Equal("draft", draft.Status);

        using (var response = await api.PostAsync($"/api/v1/invoices/{draft.Id}/finalize", null))
        {
            await ReadAsync(response, HttpStatusCode.OK);
        }

        var number = await portal.WithDbAsync(db => db.Invoices.Where(i => i.Id == draft.Id).Select(i => i.Number).SingleAsync());
        var finalized = await NewestAsync($"invoice:{number}", "invoice.finalized");
        Assert.Equal(("draft", "finalized"), (finalized.Was("status"), finalized.Is("status")));
        Assert.Equal((null, number), (finalized.Was("number"), finalized.Is("number")));
        Assert.Equal((null, NowText), (finalized.Was("finalized at"), finalized.Is("finalized at")));
        Assert.Equal(("10.00 USD", "10.00 USD"), (finalized.Was("total"), finalized.Is("total")));
    }
}
