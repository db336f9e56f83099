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

// A link clicked on a portal page before its circuit runs is followed as a plain page load. In that moment Blazor's
// router can already take the click (the address changes) while the server cannot follow it yet, which left the old
// page under the new address; a page load cannot race. Once the app bar says the circuit runs, Blazor routes as usual.
document.addEventListener("click", function (event) {
    var bar = document.querySelector(".mud-appbar[data-interactive]");
    if (!bar || bar.getAttribute("data-interactive") === "true") {
        return;
    }

    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
    }

    var link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) {
        return;
    }

    var url = new URL(link.href, document.baseURI);
    var samePage = url.pathname === window.location.pathname && url.search === window.location.search;
    if (url.origin !== window.location.origin || (samePage && url.hash)) {
        return;
    }

    event.preventDefault();
    event.stopPropagation();
    window.location.assign(url.href);
}, true);
