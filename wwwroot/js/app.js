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

// The skip link: Blazor handles a same-page #main link itself (it scrolls, but does not move focus); the keyboard
// user's focus must land in the content, as a plain link to a focusable target would do.
document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("a.skip-link")) {
        var main = document.getElementById("main");
        if (main) {
            main.focus();
        }
    }
});
