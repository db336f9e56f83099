// UsagePortal's own script: small, and only what htmx and Bootstrap do not already do.
// Pages work without it; it makes them faster and live.
(function () {
    "use strict";
    // After htmx swaps a fragment in, move focus to its heading so keyboard and screen-reader users follow along.
    document.addEventListener("htmx:afterSwap", function (event) {
        var heading = event.detail.target.querySelector("[data-focus-after-swap]");
        if (heading) {
            heading.setAttribute("tabindex", "-1");
            heading.focus();
        }
    });

    // A fragment request redirected to sign-in (the session ended) or to access denied would swap that whole page into
    // part of this one. Reload instead: the browser then goes through sign-in and comes back to this page.
    var authenticationPages = ["Account/Login", "Account/AccessDenied"].map(function (path) {
        return new URL(path, document.baseURI).pathname;
    });
    document.addEventListener("htmx:beforeSwap", function (event) {
        var landedOn = event.detail.xhr.responseURL && new URL(event.detail.xhr.responseURL).pathname;
        if (landedOn && landedOn !== window.location.pathname && authenticationPages.indexOf(landedOn) >= 0) {
            event.detail.shouldSwap = false;
            window.location.reload();
        }
    });
})();
