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
})();
