using System.Reflection;
using System.Security.Claims;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Forms.Mapping;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using UsagePortal.Data;
using UsagePortal.Data.Identity;

namespace UsagePortal.Web.ComponentTests.Account;

/// <summary>
/// What the tests of the Identity pages share. Those pages are static server-rendered forms: each request renders the
/// page once with the request's <see cref="HttpContext"/> cascaded to it, a post binds the form's fields to the page's
/// <c>[SupplyParameterFromForm]</c> model and then runs the form's submit handler, and a redirect is a navigation (the
/// app does not throw for it). These tests do the same: a request of their own (its method, cookies and user), the page
/// inside its layout as the router renders it, the posted fields mapped to the model (<see cref="PostedForm"/>), the
/// antiforgery token the app would issue, and the redirect read from the navigation manager and the response's cookies.
/// </summary>
public abstract class AccountPageTest : ComponentTest
{
    /// <summary>The name of the cookie that carries a status message across a redirect (IdentityRedirectManager's).</summary>
    protected const string StatusCookie = "Identity.StatusMessage";

    /// <summary>A password the app accepts (ten characters, upper and lower case, a digit and a symbol).</summary>
    protected const string Password = "Account!Password1";

    private readonly PostedForm postedForm;

    protected AccountPageTest(ComponentHost host)
        : this(host, new PostedForm(), new RequestHolder())
    {
    }

    private AccountPageTest(ComponentHost host, PostedForm postedForm, RequestHolder request)
        : base(host, services =>
        {
            services.AddSupplyValueFromFormProvider();
            services.AddSingleton<IFormValueMapper>(postedForm);
            // The app's redirect manager (internal to it), on bunit's navigation manager instead of the server's.
            services.AddScoped(typeof(UsagePortal.Web.Components.Account.Pages.Login).Assembly.GetType("UsagePortal.Web.Components.Account.IdentityRedirectManager", throwOnError: true)!);
            services.AddScoped<AntiforgeryStateProvider>(_ => new RequestAntiforgery(host.Services.GetRequiredService<IAntiforgery>(), request));
        })
    {
        this.postedForm = postedForm;
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        Context = new DefaultHttpContext { RequestServices = Services };
        Context.Request.Scheme = "http";
        Context.Request.Host = new HostString("localhost");
        Context.Request.Method = HttpMethods.Get;
        request.Context = Context;
        // The sign-in manager the pages get (the app's, of this test's scope) works on this request.
        Services.GetRequiredService<SignInManager<ApplicationUser>>().Context = Context;
    }

    /// <summary>The request the page renders for: its method, cookies and user; the response's cookies after.</summary>
    protected DefaultHttpContext Context { get; }

    protected NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    /// <summary>Where the page is now, relative to the base: the address it was requested at, or where it redirected to.</summary>
    protected string Location => Navigation.ToBaseRelativePath(Navigation.Uri);

    /// <summary>Requests <paramref name="uri"/> (relative to the base, e.g. <c>Account/Login?ReturnUrl=%2Fapp</c>) with a GET.</summary>
    protected IRenderedComponent<CascadingValue<HttpContext>> Get<TPage>(string uri)
        where TPage : IComponent
    {
        Open(uri, HttpMethods.Get);
        return RenderPage<TPage>();
    }

    /// <summary>
    /// Posts the form named <paramref name="formName"/> to <paramref name="uri"/> with <paramref name="fields"/> (by their
    /// names in the markup, e.g. <c>Input.Email</c>): the page binds them to its model, renders, and the form's submit
    /// handler runs, as the endpoint dispatches it. The page has to render exactly that one form.
    /// The endpoint dispatches once the page has initialised; here the page's initialisation (on SQLite, whose calls
    /// complete synchronously) is done when the render returns, which the GET tests show by asserting its results at once.
    /// </summary>
    protected IRenderedComponent<CascadingValue<HttpContext>> Post<TPage>(string uri, string formName, IReadOnlyDictionary<string, string>? fields = null)
        where TPage : IComponent
    {
        Open(uri, HttpMethods.Post);
        postedForm.Post(formName, fields ?? new Dictionary<string, string>());
        var page = RenderPage<TPage>();
        Assert.Equal([formName], FormNames<TPage>(page));
        page.Find("form").Submit();
        return page;
    }

    private void Open(string uri, string method)
    {
        Navigation.NavigateTo(uri);
        var address = new Uri(Navigation.Uri);
        Context.Request.Method = method;
        Context.Request.Path = address.AbsolutePath;
        Context.Request.QueryString = new QueryString(address.Query);
    }

    /// <summary>The page inside the layout its <see cref="LayoutAttribute"/> names (and that layout's own), as the router renders it.</summary>
    private IRenderedComponent<CascadingValue<HttpContext>> RenderPage<TPage>()
        where TPage : IComponent
    {
        var layout = typeof(TPage).GetCustomAttribute<LayoutAttribute>()?.LayoutType;
        RenderFragment pageFragment = builder =>
        {
            builder.OpenComponent<TPage>(0);
            builder.CloseComponent();
        };
        return Render<CascadingValue<HttpContext>>(parameters => parameters
            .Add(c => c.Value, Context)
            .Add(c => c.IsFixed, true)
            .AddChildContent(builder =>
            {
                builder.OpenComponent<LayoutView>(0);
                builder.AddComponentParameter(1, nameof(LayoutView.Layout), layout);
                builder.AddComponentParameter(2, nameof(LayoutView.ChildContent), pageFragment);
                builder.CloseComponent();
            }));
    }

    /// <summary>
    /// The names the page's forms post under (their handler names, the <c>_handler</c> field the endpoint dispatches on):
    /// an <see cref="EditForm"/>'s FormName, a plain form's <c>@formname</c>.
    /// </summary>
    protected static IReadOnlyList<string> FormNames<TPage>(IRenderedComponent<CascadingValue<HttpContext>> page)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        var editForms = page.FindComponents<EditForm>().Select(f => f.Instance.FormName ?? "");
        return [.. editForms, .. NamedSubmitEvents(page.FindComponent<TPage>().Instance)];
    }

    private static readonly MethodInfo BuildRenderTreeMethod =
        typeof(ComponentBase).GetMethod("BuildRenderTree", BindingFlags.Instance | BindingFlags.NonPublic)!;

#pragma warning disable BL0006 // No markup shows a form's handler name (the server renderer adds it as a hidden field); the render tree is read for it, and only for it.
    private static IEnumerable<string> NamedSubmitEvents(IComponent component)
    {
        using var builder = new RenderTreeBuilder();
        BuildRenderTreeMethod.Invoke(component, [builder]);
        var frames = builder.GetFrames();
        var names = new List<string>();
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames.Array[i];
            if (frame.FrameType == RenderTreeFrameType.NamedEvent && frame.NamedEventType == "onsubmit")
            {
                names.Add(frame.NamedEventAssignedName);
            }
        }

        return names;
    }
#pragma warning restore BL0006

    /// <summary>The input whose id is <paramref name="id"/> (ids such as <c>Input.Email</c> have dots, which a plain #id selector does not take).</summary>
    protected static IElement Field(IRenderedComponent<CascadingValue<HttpContext>> page, string id)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Find($"[id='{id}']");
    }

    /// <summary>The text of the label for the input <paramref name="id"/>.</summary>
    protected static string LabelOf(IRenderedComponent<CascadingValue<HttpContext>> page, string id)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Find($"label[for='{id}']").TextContent.Trim();
    }

    /// <summary>The validation messages shown with the input <paramref name="id"/> (in its field), in order.</summary>
    protected static IReadOnlyList<string> ErrorsAt(IRenderedComponent<CascadingValue<HttpContext>> page, string id)
    {
        var field = Field(page, id).Closest(".field") ?? throw new InvalidOperationException($"{id} is not in a .field.");
        // The pages give ValidationMessage the class field-error (which takes the place of its own validation-message).
        return [.. field.QuerySelectorAll("div.field-error").Select(m => m.TextContent.Trim())];
    }

    /// <summary>The status message the page shows (StatusMessage's notice), with its kind: <c>error</c> or <c>success</c>.</summary>
    protected static (string Kind, string Text)? StatusOf(IRenderedComponent<CascadingValue<HttpContext>> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var notice = page.FindAll(".notice[role=alert]").FirstOrDefault(n => n.ClassList.Contains("notice-error") || n.ClassList.Contains("notice-success"));
        return notice is null ? null : (notice.ClassList.Contains("notice-error") ? "error" : "success", notice.TextContent.Trim());
    }

    /// <summary>The texts of the page's headings of level <paramref name="level"/>, layout included.</summary>
    protected static IReadOnlyList<string> Headings(IRenderedComponent<CascadingValue<HttpContext>> page, int level = 1)
    {
        ArgumentNullException.ThrowIfNull(page);
        return [.. page.FindAll($"h{level}").Select(h => h.TextContent.Trim())];
    }

    /// <summary>Asserts the page's one form posts (method post) with the antiforgery token the app issued for this request.</summary>
    protected void AssertPostsWithAntiforgeryToken(IElement form)
    {
        ArgumentNullException.ThrowIfNull(form);
        Assert.Equal("post", form.GetAttribute("method"));
        var antiforgery = Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(Context);
        var token = form.QuerySelector($"input[type=hidden][name='{antiforgery.FormFieldName}']");
        Assert.NotNull(token);
        Assert.Equal(antiforgery.RequestToken, token.GetAttribute("value"));
    }

    /// <summary>A cookie the response sets (or deletes: an expiry in the past), by name; null when it does not.</summary>
    protected SetCookieHeaderValue? ResponseCookie(string name) =>
        SetCookieHeaderValue.ParseList(SetCookies(Context.Response))
            .LastOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal));

    /// <summary>The status message the response carries to the next page (IdentityRedirectManager's cookie); null when none.</summary>
    protected string? StatusCarried() =>
        ResponseCookie(StatusCookie) is { } cookie && !IsDeletion(cookie) ? Uri.UnescapeDataString(cookie.Value.ToString()) : null;

    private static string[] SetCookies(HttpResponse response) => [.. response.Headers.SetCookie.OfType<string>()];

    protected static bool IsDeletion(SetCookieHeaderValue cookie)
    {
        ArgumentNullException.ThrowIfNull(cookie);
        return cookie.Expires is { } expires && expires < DateTimeOffset.UtcNow;
    }

    /// <summary>Whether the response signs the user in (sets the app's authentication cookie).</summary>
    protected bool SignsIn() => ResponseCookie("UsagePortal.Auth") is { } cookie && !IsDeletion(cookie);

    /// <summary>Sends the cookie <paramref name="name"/> with the request (escaped as the response that set it escaped it).</summary>
    protected void SendCookie(string name, string value) => AddRequestCookies([$"{name}={Uri.EscapeDataString(value)}"]);

    /// <summary>Sends with the request the cookies an earlier response set (as the browser does on the next request).</summary>
    protected void SendCookiesFrom(HttpResponse earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        AddRequestCookies(SetCookieHeaderValue.ParseList(SetCookies(earlier))
            .Where(c => !IsDeletion(c))
            .Select(c => $"{c.Name}={c.Value}"));
    }

    private void AddRequestCookies(IEnumerable<string> cookies)
    {
        var all = Context.Request.Headers.Cookie.Where(c => !string.IsNullOrEmpty(c)).Concat(cookies);
        Context.Request.Headers.Cookie = string.Join("; ", all);
    }

    /// <summary>
    /// Makes the request one of <paramref name="user"/>'s: the app's sign-in cookie (issued by an earlier request) comes
    /// with it, and its user is the one that cookie stands for, as the authentication middleware sets it.
    /// </summary>
    protected async Task SignInAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Context.User = await EarlierRequestAsync(async signIn =>
        {
            var stored = (await signIn.UserManager.FindByIdAsync(user.Id))!;
            await signIn.SignInAsync(stored, isPersistent: false);
            return await signIn.CreateUserPrincipalAsync(stored);
        });
    }

    /// <summary>Makes the request one of a signed-in account that no longer exists (removed since it signed in).</summary>
    protected void SignInAsRemovedUser(string userId) =>
        Context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Name, "gone@people.test")], IdentityConstants.ApplicationScheme));

    /// <summary>
    /// Runs <paramref name="step"/> as an earlier request of the same browser (e.g. the password step of a two-factor
    /// sign-in) and sends the cookies its response set with this request.
    /// </summary>
    protected async Task<T> EarlierRequestAsync<T>(Func<SignInManager<ApplicationUser>, Task<T>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var (result, response) = await Host.WithServicesAsync(async services =>
        {
            var earlier = new DefaultHttpContext { RequestServices = services };
            earlier.Request.Scheme = "http";
            earlier.Request.Host = new HostString("localhost");
            var signIn = services.GetRequiredService<SignInManager<ApplicationUser>>();
            signIn.Context = earlier;
            return (await step(signIn), earlier.Response);
        });
        SendCookiesFrom(response);
        return result;
    }

    /// <summary>A confirmed customer member of its own (a unique address), with <see cref="Password"/>, for a test that changes it.</summary>
    protected async Task<ApplicationUser> CreateUserAsync(string prefix = "account")
    {
        var email = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)] + "@accounts.test";
        return await Host.CreateUserAsync(email, Password, Roles.CustomerMember, await Host.CustomerIdAsync());
    }

    /// <summary>Turns on two-factor sign-in with an authenticator app for <paramref name="user"/>; answers the app's key and ten recovery codes.</summary>
    protected Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnableTwoFactorAsync(ApplicationUser user) =>
        WithUsersAsync<(string, IReadOnlyList<string>)>(async users =>
        {
            var stored = (await users.FindByIdAsync(user.Id))!;
            await users.ResetAuthenticatorKeyAsync(stored);
            await users.SetTwoFactorEnabledAsync(stored, true);
            var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(stored, 10);
            return ((await users.GetAuthenticatorKeyAsync(stored))!, [.. codes!]);
        });

    /// <summary>Uses the app's user manager in a scope of its own (fresh data, not the page's).</summary>
    protected Task<T> WithUsersAsync<T>(Func<UserManager<ApplicationUser>, Task<T>> use) =>
        Host.WithServicesAsync(services => use(services.GetRequiredService<UserManager<ApplicationUser>>()));

    /// <summary>The stored user, read afresh.</summary>
    protected Task<ApplicationUser> StoredAsync(ApplicationUser user) =>
        Host.WithServicesAsync(services => services.GetRequiredService<UsagePortalDbContext>().Users.AsNoTracking().SingleAsync(u => u.Id == user.Id));

    protected Task<T> WithDbAsync<T>(Func<UsagePortalDbContext, Task<T>> read) =>
        Host.WithServicesAsync(services => read(services.GetRequiredService<UsagePortalDbContext>()));

    /// <summary>
    /// The form post the endpoint maps to <c>[SupplyParameterFromForm]</c> models: fields named <c>{parameter}.{property}</c>
    /// (<c>Input.Email</c>) set the model's properties; nothing is supplied on a GET (the pages make an empty model).
    /// </summary>
    private sealed class PostedForm : IFormValueMapper
    {
        private string? handler;
        private IReadOnlyDictionary<string, string> fields = new Dictionary<string, string>();

        public void Post(string formName, IReadOnlyDictionary<string, string> postedFields)
        {
            handler = formName;
            fields = postedFields;
        }

        public bool CanMap(Type valueType, string scopeName, string? formName) =>
            handler is not null && (formName is null || formName == handler);

        public void Map(FormValueMappingContext context)
        {
            var model = Activator.CreateInstance(context.ValueType)!;
            var prefix = context.ParameterName + ".";
            foreach (var (name, value) in fields.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var property = context.ValueType.GetProperty(name[prefix.Length..])
                    ?? throw new InvalidOperationException($"The page's {context.ParameterName} has no field {name}.");
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                property.SetValue(model, type == typeof(string) ? value : System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value));
            }

            context.SetResult(model);
        }
    }

    private sealed class RequestHolder
    {
        public HttpContext? Context { get; set; }
    }

    /// <summary>The token the app's antiforgery issues for the test's request, as the server renderer's provider gives it.</summary>
    private sealed class RequestAntiforgery(IAntiforgery antiforgery, RequestHolder request) : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken()
        {
            var tokens = antiforgery.GetAndStoreTokens(request.Context!);
            return new AntiforgeryRequestToken(tokens.RequestToken!, tokens.FormFieldName);
        }
    }
}
