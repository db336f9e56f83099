using System.Net;
using System.Text.RegularExpressions;

namespace UsagePortal.Testing;

/// <summary>
/// Talks to the portal the way a browser without JavaScript does: GET a page, fill in one of its forms
/// (antiforgery token and Blazor's <c>_handler</c> included), POST it, and look at the answer.
/// </summary>
public sealed partial class PortalClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);

    public async Task<string> GetPageAsync(string url)
    {
        var response = await Http.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode} {response.Headers.Location}");
        }

        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>GETs <paramref name="pageUrl"/>, takes the form named <paramref name="formName"/>, and posts <paramref name="fields"/> with it.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string pageUrl, string formName, IDictionary<string, string> fields)
    {
        var page = await GetPageAsync(pageUrl);
        var form = FindForm(page, formName)
            ?? throw new InvalidOperationException($"The page {pageUrl} has no form named '{formName}'.");
        return await PostFormAsync(form.Action ?? pageUrl, form.HiddenFields, fields);
    }

    /// <summary>Posts a form whose hidden fields (token, handler) came from a page.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string url, IReadOnlyDictionary<string, string> hiddenFields, IDictionary<string, string> fields)
    {
        var values = new Dictionary<string, string>(hiddenFields);
        foreach (var (key, value) in fields)
        {
            values[key] = value;
        }

        return Http.PostAsync(url, new FormUrlEncodedContent(values));
    }

    /// <summary>Signs in through the login page; answers the redirect target (or throws with what the page said).</summary>
    public async Task<string> SignInAsync(string email, string password)
    {
        var response = await SubmitFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} answered {(int)response.StatusCode}: {Text(await response.Content.ReadAsStringAsync())}");
        }

        return response.Headers.Location!.OriginalString;
    }

    public sealed record Form(string? Action, IReadOnlyDictionary<string, string> HiddenFields);

    /// <summary>The form posted with Blazor handler <paramref name="formName"/>, or the only form with an antiforgery token.</summary>
    public static Form? FindForm(string html, string formName)
    {
        foreach (Match match in FormPattern().Matches(html))
        {
            var hidden = new Dictionary<string, string>();
            foreach (Match input in InputPattern().Matches(match.Groups["body"].Value))
            {
                var tag = input.Value;
                if (Attribute(tag, "type") == "hidden" && Attribute(tag, "name") is { } name)
                {
                    hidden[name] = Attribute(tag, "value") ?? "";
                }
            }

            if (hidden.TryGetValue("_handler", out var handler) && handler == formName)
            {
                return new Form(Attribute(match.Groups["open"].Value, "action"), hidden);
            }
        }

        return null;
    }

    /// <summary>The visible text of a page, tags removed and white space folded, for assertions on what a person reads.</summary>
    public static string Text(string html)
    {
        var withoutScripts = ScriptPattern().Replace(html, " ");
        return WebUtility.HtmlDecode(WhiteSpacePattern().Replace(TagPattern().Replace(withoutScripts, " "), " ")).Trim();
    }

    /// <summary>The hidden fields of the sign-out form in the layout (a plain form, not a Blazor one).</summary>
    public static IReadOnlyDictionary<string, string> FindLogoutForm(string html)
    {
        var form = FormPattern().Matches(html).FirstOrDefault(m => Attribute(m.Groups["open"].Value, "action") == "Account/Logout")
            ?? throw new InvalidOperationException("The page has no sign-out form.");
        return InputPattern().Matches(form.Groups["body"].Value)
            .Where(i => Attribute(i.Value, "type") == "hidden" && Attribute(i.Value, "name") is not null)
            .GroupBy(i => Attribute(i.Value, "name")!)
            .ToDictionary(g => g.Key, g => Attribute(g.First().Value, "value") ?? "");
    }

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, $@"\b{name}\s*=\s*""(?<v>[^""]*)""", RegexOptions.IgnoreCase);
        return match.Success ? WebUtility.HtmlDecode(match.Groups["v"].Value) : null;
    }

    [GeneratedRegex(@"(?<open><form\b[^>]*>)(?<body>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex(@"<script\b.*?</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptPattern();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpacePattern();

    public void Dispose() => Http.Dispose();
}
