using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UsagePortal.Data;
using UsagePortal.Domain.Customers;
using UsagePortal.Domain.Email;

namespace UsagePortal.Web.Tests.Outbox;

/// <summary>
/// The .eml files in the pickup folder are plain RFC 5322 messages that any mail client or parser reads: no byte-order
/// mark, CRLF line ends, ASCII headers, and a text part beside the HTML part (multipart/alternative).
/// </summary>
public sealed class EmailFormatTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnInvitationIsAPlainMultipartMessageWhoseTextAndHtmlPartsCarryTheSameLink()
    {
        var customerId = await portal.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Customers.Where(c => c.ExternalId == "globex").Select(c => c.Id).SingleAsync());
        var invited = await portal.WithServicesAsync(services => services.GetRequiredService<Invitations>()
            .InviteAsync(customerId, "eml-format@globex.example", "Eml Format", Data.Identity.Roles.CustomerMember, DemoSettings.AdminEmail));
        Assert.True(invited.Succeeded);

        var message = await portal.MessageSentToAsync("eml-format@globex.example");

        Assert.Equal("From:"u8.ToArray(), message.Bytes[..5]);
        Assert.All(message.Bytes, b => Assert.True(b < 128, "Every byte of the file is ASCII."));
        AssertCrLfLineEnds(message.Bytes);
        Assert.StartsWith("multipart/alternative; boundary=", message.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("1.0", message.Header("MIME-Version"));
        Assert.Equal(["text/plain", "text/html"], message.Parts.Select(p => p.MediaType));
        Assert.Contains("Eml Format", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<p>", message.TextBody, StringComparison.Ordinal);
        Assert.NotNull(message.HtmlLink);
        Assert.StartsWith("http://localhost/Account/AcceptInvitation?", message.HtmlLink, StringComparison.Ordinal);
        Assert.Equal(message.HtmlLink, message.TextLink);
    }

    [Fact]
    public async Task NonAsciiHeadersAreEncodedWordsAndNonAsciiBodiesSurviveTheRoundTrip()
    {
        var id = await portal.WithServicesAsync(async services =>
        {
            var message = services.GetRequiredService<EmailOutbox>().Enqueue(new EmailMessage("juergen@globex.example", "Grüße aus Köln — 10 €", "<p>Schöne Grüße, Jürgen: 10 € &amp; mehr.</p>"));
            await services.GetRequiredService<UsagePortalDbContext>().SaveChangesAsync();
            return message.Id;
        });
        await portal.DeliverAndParseAsync();

        var parsed = EmlMessage.Read(Path.Combine(portal.MailFolder, $"{id:N}.eml"));

        Assert.All(parsed.Bytes, b => Assert.True(b < 128, "Every byte of the file is ASCII."));
        Assert.StartsWith("=?utf-8?", parsed.Header("Subject"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Grüße aus Köln — 10 €", DecodeEncodedWords(parsed.Header("Subject")!));
        Assert.Contains("Schöne Grüße, Jürgen: 10 € & mehr.", parsed.TextBody, StringComparison.Ordinal);
        Assert.Contains("Schöne Grüße, Jürgen: 10 € &amp; mehr.", parsed.HtmlBody, StringComparison.Ordinal);
    }

    private static void AssertCrLfLineEnds(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                Assert.True(i > 0 && bytes[i - 1] == (byte)'\r', $"A bare line feed at byte {i}.");
            }
        }
    }

    /// <summary>RFC 2047 encoded words (B or Q), possibly several separated by folding white space.</summary>
    private static string DecodeEncodedWords(string value)
    {
        var words = System.Text.RegularExpressions.Regex.Matches(value, @"=\?(?<charset>[^?]+)\?(?<encoding>[BbQq])\?(?<text>[^?]*)\?=");
        var bytes = new List<byte>();
        foreach (System.Text.RegularExpressions.Match word in words)
        {
            var text = word.Groups["text"].Value;
            if (word.Groups["encoding"].Value is "B" or "b")
            {
                bytes.AddRange(Convert.FromBase64String(text));
            }
            else
            {
                for (var i = 0; i < text.Length; i++)
                {
                    if (text[i] == '=')
                    {
                        bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                        i += 2;
                    }
                    else
                    {
                        bytes.Add(text[i] == '_' ? (byte)' ' : (byte)text[i]);
                    }
                }
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}
