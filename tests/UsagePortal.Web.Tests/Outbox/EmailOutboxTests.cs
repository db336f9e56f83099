using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Email;
using UsagePortal.Domain.Outbox;

namespace UsagePortal.Web.Tests.Outbox;

public sealed class EmailOutboxTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AReplayedMessageRewritesTheSameFileInsteadOfSendingTwice()
    {
        var id = await EnqueueAsync("replay@acme.example", "Replay me");
        await portal.DeliverAndReadAsync();
        var path = Path.Combine(portal.MailFolder, $"{id:N}.eml");
        var first = await File.ReadAllTextAsync(path);

        // A crash after delivery but before the sent mark: the sweep delivers the same message again.
        await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages
            .Where(m => m.Id == id)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.SentAt, (DateTime?)null).SetProperty(m => m.NextAttemptAt, DateTime.UtcNow.AddMinutes(-1))));
        await portal.DeliverAndReadAsync();

        Assert.Single(Directory.GetFiles(portal.MailFolder, $"{id:N}*"));
        Assert.Equal(first, await File.ReadAllTextAsync(path));
        Assert.Contains($"Message-ID: <{id:N}@usageportal>", first);
    }

    [Fact]
    public async Task AMessageIsDeliveredOnceAndMarkedSent()
    {
        var id = await EnqueueAsync("once@acme.example", "Once");

        var firstSweep = await SweepAsync();
        var secondSweep = await SweepAsync();

        Assert.True(firstSweep >= 1);
        Assert.Equal(0, secondSweep);
        var message = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages.SingleAsync(m => m.Id == id));
        Assert.NotNull(message.SentAt);
        Assert.Equal(1, message.Attempts);
    }

    [Fact]
    public async Task NothingIsQueuedWhenTheChangeIsRolledBack()
    {
        var id = await portal.WithServicesAsync(async services =>
        {
            var db = services.GetRequiredService<UsagePortalDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var message = services.GetRequiredService<EmailOutbox>().Enqueue(new EmailMessage("rollback@acme.example", "Never", "<p>never</p>"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
            return message.Id;
        });

        await portal.DeliverAndReadAsync();

        Assert.False(await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().OutboxMessages.AnyAsync(m => m.Id == id)));
        Assert.Empty(Directory.GetFiles(portal.MailFolder, $"{id:N}*"));
    }

    [Fact]
    public void RetriesBackOffExponentiallyUpToAnHour()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), OutboxProcessor.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(40), OutboxProcessor.Backoff(3));
        Assert.Equal(TimeSpan.FromHours(1), OutboxProcessor.Backoff(20));
    }

    private Task<int> SweepAsync() =>
        portal.WithServicesAsync(services => services.GetRequiredService<OutboxProcessor>().ProcessDueAsync(CancellationToken.None));

    private Task<Guid> EnqueueAsync(string to, string subject) =>
        portal.WithServicesAsync(async services =>
        {
            var message = services.GetRequiredService<EmailOutbox>().Enqueue(new EmailMessage(to, subject, $"<p>{subject}</p>"));
            await services.GetRequiredService<UsagePortalDbContext>().SaveChangesAsync();
            return message.Id;
        });
}
