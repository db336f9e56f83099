// The dashboard's cost chart: draws every <canvas data-cost-chart="{json}"> with Chart.js (loaded on first use).
// The JSON comes from CostChart.cs: the actual cumulative cost, the projection with its band, and reference lines
// (budgets and caps add theirs there). The cost panel includes this script, so a panel swapped in by htmx includes it
// again: the second run only draws the new canvases. The figures are also in a table under the chart.
(function () {
    "use strict";
    if (window.usagePortalCostChart) {
        window.usagePortalCostChart.drawAll(document);
        return;
    }

    var chartScript = new URL("lib/chart.js/chart.umd.min.js", document.baseURI).href;
    var loading = null;

    function loadChartJs() {
        if (window.Chart) {
            return Promise.resolve(window.Chart);
        }

        if (!loading) {
            loading = new Promise(function (resolve, reject) {
                var script = document.createElement("script");
                script.src = chartScript;
                script.onload = function () { resolve(window.Chart); };
                script.onerror = function () { loading = null; reject(new Error("Chart.js did not load")); };
                document.head.appendChild(script);
            });
        }

        return loading;
    }

    function color(name, fallback) {
        var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
        return value || fallback;
    }

    function draw(canvas) {
        if (canvas.dataset.costChartDrawn) {
            return;
        }

        canvas.dataset.costChartDrawn = "true";
        var data = JSON.parse(canvas.getAttribute("data-cost-chart"));
        var money = new Intl.NumberFormat(data.locale, {
            style: "currency", currency: data.currency,
            minimumFractionDigits: data.decimals, maximumFractionDigits: data.decimals
        });
        var last = data.days.length - 1;
        var primary = color("--bs-primary", "#0d6efd");
        var secondary = color("--bs-secondary-color", "#6c757d");
        var points = function (series, field) {
            return series.map(function (p) { return { x: p.x, y: p[field], label: p.label }; });
        };
        var datasets = [
            { label: "Actual", data: points(data.actual, "y"), borderColor: primary, backgroundColor: primary, pointRadius: 2, tension: 0 },
            { label: "Projected", data: points(data.projected, "y"), borderColor: primary, borderDash: [6, 4], pointRadius: 0, tension: 0 },
            { label: "Likely low", data: points(data.projected, "low"), borderWidth: 0, pointRadius: 0, fill: false },
            {
                label: "Likely range", borderWidth: 0, pointRadius: 0, fill: "-1", backgroundColor: "rgba(13, 110, 253, 0.12)",
                data: data.projected.map(function (p) { return { x: p.x, y: p.high, low: p.low, label: p.label }; })
            }
        ];
        // Reference lines (budget, cap): horizontal, across the whole period.
        data.lines.forEach(function (line) {
            datasets.push({
                label: line.label,
                data: [{ x: 0, y: line.amount, label: line.label }, { x: last, y: line.amount, label: line.label }],
                borderColor: line.kind === "cap" ? color("--bs-danger", "#dc3545") : color("--bs-warning", "#ffc107"),
                borderWidth: 1.5, pointRadius: 0
            });
        });

        loadChartJs().then(function (Chart) {
            if (!canvas.isConnected) {
                return;
            }

            new Chart(canvas, {
                type: "line",
                data: { datasets: datasets },
                options: {
                    animation: false,
                    maintainAspectRatio: false,
                    parsing: false,
                    interaction: { mode: "nearest", intersect: false },
                    scales: {
                        x: {
                            type: "linear", min: 0, max: last,
                            ticks: { stepSize: 1, color: secondary, callback: function (value) { return Number.isInteger(value) ? data.days[value] : ""; } }
                        },
                        y: { beginAtZero: true, ticks: { color: secondary, callback: function (value) { return money.format(value); } } }
                    },
                    plugins: {
                        legend: { labels: { filter: function (item) { return item.text !== "Likely low"; } } },
                        tooltip: {
                            filter: function (item) { return item.dataset.label !== "Likely low"; },
                            callbacks: {
                                title: function (items) { return items.length ? items[0].raw.label : ""; },
                                label: function (item) {
                                    return item.raw.low === undefined
                                        ? item.dataset.label + ": " + money.format(item.raw.y)
                                        : item.dataset.label + ": " + money.format(item.raw.low) + " – " + money.format(item.raw.y);
                                }
                            }
                        }
                    }
                }
            });
        }).catch(function () {
            // No chart; the table under it still has every figure.
        });
    }

    function drawAll(root) {
        if (root.matches && root.matches("canvas[data-cost-chart]")) {
            draw(root);
        }

        if (root.querySelectorAll) {
            root.querySelectorAll("canvas[data-cost-chart]").forEach(draw);
        }
    }

    // A panel swapped out by htmx takes its chart with it: free the chart's listeners and resize observer.
    document.addEventListener("htmx:beforeCleanupElement", function (event) {
        if (window.Chart && event.target.matches && event.target.matches("canvas[data-cost-chart]")) {
            var chart = window.Chart.getChart(event.target);
            if (chart) {
                chart.destroy();
            }
        }
    });
    document.addEventListener("htmx:load", function (event) { drawAll(event.detail.elt); });

    window.usagePortalCostChart = { drawAll: drawAll };
    drawAll(document);
})();
