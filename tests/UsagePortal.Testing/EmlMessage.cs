using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace UsagePortal.Testing;

/// <summary>
/// One .eml file as a mail client reads it: RFC 5322 headers (unfolded), then the body, split into its MIME parts
/// (multipart/alternative or a single part) and decoded (quoted-printable, base64, 7bit, 8bit). Strict on purpose:
/// a file that does not start with a header line (a byte-order mark, say) has no headers at all.
/// </summary>
public sealed partial class EmlMessage
{
    private EmlMessage(byte[] bytes, IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyList<EmlPart> parts)
    {
        Bytes = bytes;
        Headers = headers;
        Parts = parts;
    }

    public byte[] Bytes { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public IReadOnlyList<EmlPart> Parts { get; }

    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>The To address as written in the header.</summary>
    public string To => Header("To") ?? "";

    public string? HtmlBody => Parts.FirstOrDefault(p => p.MediaType == "text/html")?.Body;

    public string? TextBody => Parts.FirstOrDefault(p => p.MediaType == "text/plain")?.Body;

    /// <summary>The first link of the HTML part, decoded.</summary>
    public string? HtmlLink => HtmlBody is { } html && HrefPattern().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups["href"].Value) : null;

    /// <summary>The first http(s) address in the text part.</summary>
    public string? TextLink => TextBody is { } text && UrlPattern().Match(text) is { Success: true } match ? match.Value : null;

    public static EmlMessage Read(string path) => Parse(File.ReadAllBytes(path));

    public static EmlMessage Parse(byte[] bytes)
    {
        // Headers are ASCII; bodies are decoded below according to their transfer encoding and charset.
        var text = Encoding.Latin1.GetString(bytes);
        var (headers, body) = SplitHeaders(text);
        var contentType = Find(headers, "Content-Type") ?? "text/plain";
        var parts = new List<EmlPart>();
        if (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = Parameter(contentType, "boundary") ?? throw new FormatException("A multipart message without a boundary.");
            var delimiter = "--" + boundary;
            var sections = body.Split(delimiter);
            // Before the first delimiter is the preamble; after the closing "--" is the epilogue.
            foreach (var section in sections.Skip(1))
            {
                if (section.StartsWith("--", StringComparison.Ordinal))
                {
                    break;
                }

                var (partHeaders, partBody) = SplitHeaders(section.TrimStart('\r', '\n'));
                if (partBody.EndsWith("\r\n", StringComparison.Ordinal))
                {
                    partBody = partBody[..^2];
                }

                parts.Add(Part(partHeaders, partBody));
            }
        }
        else
        {
            parts.Add(Part(headers, body));
        }

        return new EmlMessage(bytes, headers, parts);
    }

    private static EmlPart Part(IReadOnlyList<KeyValuePair<string, string>> headers, string rawBody)
    {
        var contentType = Find(headers, "Content-Type") ?? "text/plain; charset=us-ascii";
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        var charset = Parameter(contentType, "charset") ?? "us-ascii";
        var encoding = (Find(headers, "Content-Transfer-Encoding") ?? "7bit").Trim().ToLowerInvariant();
        var bytes = encoding switch
        {
            "quoted-printable" => DecodeQuotedPrintable(rawBody),
            "base64" => Convert.FromBase64String(string.Concat(rawBody.Where(c => !char.IsWhiteSpace(c)))),
            _ => Encoding.Latin1.GetBytes(rawBody),
        };
        return new EmlPart(mediaType, contentType, encoding, Encoding.GetEncoding(charset).GetString(bytes));
    }

    private static (IReadOnlyList<KeyValuePair<string, string>> Headers, string Body) SplitHeaders(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var body = end < 0 ? "" : text[(end + 4)..];
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in head.Split("\r\n"))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                // A folded header continues the previous one.
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !HeaderNamePattern().IsMatch(line[..colon]))
            {
                // Not a header line: what a parser meets when the file starts with anything but a header.
                return ([], text);
            }

            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        return (headers, body);
    }

    private static string? Find(IReadOnlyList<KeyValuePair<string, string>> headers, string name) =>
        headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    private static string? Parameter(string headerValue, string name)
    {
        var match = Regex.Match(headerValue, $@";\s*{name}=(""(?<v>[^""]*)""|(?<v>[^;\s]+))", RegexOptions.IgnoreCase);
        return match.Success ? match.Groups["v"].Value : null;
    }

    private static byte[] DecodeQuotedPrintable(string text)
    {
        var output = new List<byte>();
        var unfolded = text.Replace("=\r\n", "", StringComparison.Ordinal);
        for (var i = 0; i < unfolded.Length; i++)
        {
            if (unfolded[i] == '=' && i + 2 < unfolded.Length && Uri.IsHexDigit(unfolded[i + 1]) && Uri.IsHexDigit(unfolded[i + 2]))
            {
                output.Add(Convert.ToByte(unfolded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                output.Add((byte)unfolded[i]);
            }
        }

        return [.. output];
    }

    [GeneratedRegex(@"^[!-9;-~]+$")]
    private static partial Regex HeaderNamePattern();

    [GeneratedRegex(@"href=""(?<href>[^""]+)""")]
    private static partial Regex HrefPattern();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex UrlPattern();
}

/// <summary>One decoded body part.</summary>
public sealed record EmlPart(string MediaType, string ContentType, string TransferEncoding, string Body);
