// UsagePortal's own script: what MudBlazor and Blazor do not already do.
window.usagePortal = {
    // The reader's light or dark choice, remembered in this browser (the portal follows the system until one is made).
    theme: {
        get: function () {
            try { return window.localStorage.getItem("usageportal.theme"); } catch (e) { return null; }
        },
        set: function (value) {
            try { window.localStorage.setItem("usageportal.theme", value); } catch (e) { /* private mode: not remembered */ }
        }
    }
};

// The reconnect dialog's "Reload the page" buttons (no inline handlers: the content security policy forbids them).
document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-reload]")) {
        window.location.reload();
    }
});
