using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;

namespace UsagePortal.Domain.Email;

/// <summary>
/// Writes a message as plain RFC 5322 / MIME text that every mail client and parser reads: ASCII only (non-ASCII
/// header text as RFC 2047 encoded words, bodies quoted-printable), CRLF line ends, no byte-order mark, and a
/// multipart/alternative body with a text/plain part beside the HTML one. Deterministic for one message (the boundary
/// comes from the message id), so a replayed delivery rewrites the same bytes.
/// </summary>
public static partial class EmlFormat
{
    public static string Write(string from, EmailMessage email, string messageId, string boundary, DateTime createdAt)
    {
        ArgumentNullException.ThrowIfNull(email);
        var text = email.TextBody ?? PlainText(email.HtmlBody);
        return new StringBuilder()
            .Append("From: ").Append(Address(from)).Append("\r\n")
            .Append("To: ").Append(Address(email.To)).Append("\r\n")
            .Append("Subject: ").Append(HeaderText(email.Subject)).Append("\r\n")
            .Append("Date: ").Append(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc).ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Message-ID: ").Append(messageId).Append("\r\n")
            .Append("MIME-Version: 1.0\r\n")
            .Append("Content-Type: multipart/alternative; boundary=\"").Append(boundary).Append("\"\r\n")
            .Append("\r\n")
            .Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
            .Append(QuotedPrintable(text)).Append("\r\n")
            .Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Type: text/html; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
            .Append(QuotedPrintable(email.HtmlBody)).Append("\r\n")
            .Append("--").Append(boundary).Append("--\r\n")
            .ToString();
    }

    /// <summary>
    /// The text a reader sees in the HTML: paragraphs as blank-line-separated lines, a link as its words followed by
    /// its address in angle brackets (so the text part carries the very same link), tags dropped, entities decoded.
    /// </summary>
    public static string PlainText(string html)
    {
        // Links become numbered placeholders first, so that removing the tags cannot touch their "<address>".
        var links = new List<string>();
        var withLinks = LinkPattern().Replace(html, match =>
        {
            var href = WebUtility.HtmlDecode(match.Groups["href"].Value);
            var label = WebUtility.HtmlDecode(TagPattern().Replace(match.Groups["label"].Value, "")).Trim();
            // In angle brackets (RFC 3986, appendix C): text right after the address cannot be mistaken for part of it.
            links.Add(label.Length == 0 || label == href ? $"<{href}>" : $"{label}: <{href}>");
            return $"\u0001{links.Count - 1}\u0002";
        });
        var withBreaks = BlockEndPattern().Replace(withLinks, "\n\n");
        var text = WebUtility.HtmlDecode(TagPattern().Replace(withBreaks, ""));
        var lines = text.Split('\n').Select(line => SpacesPattern().Replace(line, " ").Trim());
        var folded = BlankLinesPattern().Replace(string.Join("\n", lines), "\n\n").Trim();
        return PlaceholderPattern().Replace(folded, match => links[int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture)]);
    }

    /// <summary>RFC 2045 quoted-printable of the UTF-8 text, lines at most 76 characters, CRLF line ends.</summary>
    public static string QuotedPrintable(string text)
    {
        var output = new StringBuilder();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            var bytes = Encoding.UTF8.GetBytes(lines[l]);
            var column = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                var last = i == bytes.Length - 1;
                // Printable ASCII stays as it is, except '=' and a space or tab that would end the line.
                var literal = (b is >= 33 and <= 126 && b != (byte)'=') || (b is (byte)' ' or (byte)'\t' && !last);
                var token = literal ? ((char)b).ToString() : $"={b:X2}";
                if (column + token.Length > 75)
                {
                    output.Append("=\r\n");
                    column = 0;
                }

                output.Append(token);
                column += token.Length;
            }

            if (l < lines.Length - 1)
            {
                output.Append("\r\n");
            }
        }

        return output.ToString();
    }

    /// <summary>An address header value, ASCII only: "Name &lt;address&gt;" with a non-ASCII name as an encoded word.</summary>
    private static string Address(string value)
    {
        MailAddress address;
        try
        {
            address = new MailAddress(value);
        }
        catch (FormatException)
        {
            return HeaderText(value);
        }

        if (string.IsNullOrEmpty(address.DisplayName))
        {
            return address.Address;
        }

        var name = address.DisplayName.All(c => c is >= ' ' and <= '~') && !address.DisplayName.Any(c => "()<>[]:;@\\,.\"".Contains(c))
            ? address.DisplayName
            : EncodedWord(address.DisplayName);
        return $"{name} <{address.Address}>";
    }

    /// <summary>Unstructured header text: as it is when printable ASCII, else an RFC 2047 encoded word.</summary>
    private static string HeaderText(string value) =>
        value.All(c => c is >= ' ' and <= '~') ? value : EncodedWord(value);

    /// <summary>RFC 2047 B-encoded words of at most 75 characters each, folded onto continuation lines.</summary>
    private static string EncodedWord(string value)
    {
        var words = new List<string>();
        var chunk = new StringBuilder();
        foreach (var rune in value.EnumerateRunes())
        {
            // 45 bytes of UTF-8 make 60 base64 characters: with "=?utf-8?B?" and "?=" a word stays under 75.
            if (Encoding.UTF8.GetByteCount(chunk.ToString() + rune) > 45)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
            }

            chunk.Append(rune.ToString());
        }

        if (chunk.Length > 0)
        {
            words.Add(Word(chunk.ToString()));
        }

        return string.Join("\r\n ", words);

        static string Word(string text) => $"=?utf-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(text))}?=";
    }

    [GeneratedRegex(@"<a\b[^>]*\bhref=""(?<href>[^""]*)""[^>]*>(?<label>.*?)</a>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex LinkPattern();

    [GeneratedRegex("\u0001(?<index>[0-9]+)\u0002")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"</p>|<br\s*/?>|</h[1-6]>|</li>|</div>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEndPattern();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex SpacesPattern();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLinesPattern();
}
