using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace UsagePortal.Web.ComponentTests;

/// <summary>
/// What the page tests share: the layout's providers (popovers, dialogs, snackbars) rendered beside the page, a record of
/// <see cref="NavigationManager.NotFound"/>, and answering a confirmation.
/// </summary>
public abstract class PageTest : ComponentTest
{
    /// <param name="host">The app.</param>
    /// <param name="services">Services of the test's own that take the place of the app's (see <see cref="ComponentTest"/>).</param>
    protected PageTest(ComponentHost host, Action<IServiceCollection>? services = null) : base(host, services)
    {
        Services.GetRequiredService<NavigationManager>().OnNotFound += (_, _) => NotFoundCalled = true;
    }

    /// <summary>Whether the page called <see cref="NavigationManager.NotFound"/> (answers 404 when prerendered).</summary>
    protected bool NotFoundCalled { get; set; }

    protected IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = default!;

    protected IRenderedComponent<MudSnackbarProvider> Snackbars { get; private set; } = default!;

    protected IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = default!;

    private bool providersRendered;

    /// <summary>The layout's MudPopoverProvider, MudDialogProvider and MudSnackbarProvider, which a page alone does not render (once).</summary>
    protected void RenderProviders()
    {
        if (providersRendered)
        {
            return;
        }

        providersRendered = true;
        Popovers = Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
        Snackbars = Render<MudSnackbarProvider>();
    }

    /// <summary>Waits for the open message box and clicks its button labelled <paramref name="text"/>.</summary>
    protected void Answer(string text)
    {
        var dialogs = Dialogs;
        dialogs.WaitForAssertion(() => Assert.Contains(dialogs.FindAll(".mud-dialog-actions button"), b => b.TextContent.Trim().Equals(text, StringComparison.OrdinalIgnoreCase)));
        dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim().Equals(text, StringComparison.OrdinalIgnoreCase)).Click();
    }
}
