using System.Globalization;
using System.Text.Json.Nodes;

namespace DiffusionLab.Interactive;

/// <summary>
/// Interactive line charts (zoom, hover, toggle series) as self-contained HTML for notebook outputs.
/// plotly.js travels inside the HTML (gzip + base64, about 2 MB per chart) so the chart renders
/// without a CDN; the static counterpart for committed results is <see cref="Imaging.LineChart"/>.
/// </summary>
public static class PlotlyChart
{
    private const string ResourceName = "DiffusionLab.Interactive.plotly.min.js.gz";

    public static string LineHtml(string title, string xLabel, string yLabel,
        IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> series,
        bool logY = false, int height = 450)
    {
        var traces = new JsonArray();
        foreach (var (name, x, y) in series)
        {
            if (x.Count != y.Count) throw new ArgumentException($"series '{name}': {x.Count} x values but {y.Count} y values");
            // JSON has no NaN/Infinity, and a log axis cannot show y <= 0: such points are left out.
            var keep = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i]) && (!logY || y[i] > 0)).ToArray();
            traces.Add(new JsonObject
            {
                ["type"] = "scatter",
                ["mode"] = "lines",
                ["name"] = name,
                ["x"] = new JsonArray(keep.Select(i => (JsonNode?)JsonValue.Create(x[i])).ToArray()),
                ["y"] = new JsonArray(keep.Select(i => (JsonNode?)JsonValue.Create(y[i])).ToArray()),
            });
        }
        var layout = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = title },
            ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = xLabel } },
            ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = yLabel }, ["type"] = logY ? "log" : "linear" },
            ["height"] = height,
            ["margin"] = new JsonObject { ["t"] = 50 },
        };
        return Html(traces, layout, height);
    }

    /// <summary>A chart from raw plotly.js traces and layout (JSON), for figures beyond line charts.</summary>
    public static string Html(JsonArray traces, JsonObject layout, int height = 450)
    {
        string id = "difflab-chart-" + Guid.NewGuid().ToString("N")[..12];
        string data = traces.ToJsonString(), lay = layout.ToJsonString();
        // The script element (not eval) keeps this working where a page allows inline scripts but not eval.
        return $$"""
            <div id="{{id}}" style="width:100%;height:{{height.ToString(CultureInfo.InvariantCulture)}}px"></div>
            <script type="text/javascript">
            (async () => {
              if (!window.Plotly) {
                if (!window.difflabPlotlyLoading) {
                  window.difflabPlotlyLoading = (async () => {
                    const gz = Uint8Array.from(atob("{{PlotlyScriptGzipBase64()}}"), c => c.charCodeAt(0));
                    const code = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
                    const script = document.createElement("script");
                    script.textContent = code;
                    document.head.appendChild(script);
                  })();
                }
                await window.difflabPlotlyLoading;
              }
              window.Plotly.newPlot("{{id}}", {{data}}, {{lay}}, { responsive: true });
            })();
            </script>
            """;
    }

    /// <summary>plotly.js 4.1.2 (MIT; see Interactive/Resources/README.md), gzip-compressed, base64.</summary>
    public static string PlotlyScriptGzipBase64()
    {
        using var stream = typeof(PlotlyChart).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(PlotlyChart).Assembly.GetName().Name}");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
