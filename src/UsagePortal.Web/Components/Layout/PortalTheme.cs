using MudBlazor;

namespace UsagePortal.Web.Components.Layout;

/// <summary>The portal's look, light and dark: one theme object instead of ad-hoc CSS.</summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3f51b5",
            Secondary = "#00897b",
            AppbarBackground = "#1f2a44",
            AppbarText = "#ffffff",
            Background = "#f6f7fb",
            DrawerBackground = "#ffffff",
            TextPrimary = "#1c2434",
            TextSecondary = "#566075",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8c9eff",
            Secondary = "#4db6ac",
            AppbarBackground = "#141a2b",
            Background = "#10141f",
            Surface = "#1a2030",
            DrawerBackground = "#161c2b",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
            DrawerWidthLeft = "232px",
        },
    };
}
