using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DiffusionLab.IO;
using Plotly.NET;
using PlotlyCs = Plotly.NET.CSharp;

namespace DiffusionLab.Interactive;

/// <summary>
/// Interactive charts: built with Plotly.NET (the figure) and rendered here (the HTML), offline. The one place
/// that turns metric series into charts, for notebooks and for the CLI's results/*/curves.html alike.
/// Rendering takes the figure JSON from Plotly.NET rather than its own HTML, whose script reference is a CDN
/// (or require.js from a CDN): here a chart waits for the page's one plotly.js instead (<see cref="PlotlyScript"/>).
/// </summary>
public static class PlotlyChart
{
    /// <summary>A line per series (x, y), optionally on a log y axis; points a log axis or JSON cannot show (y ≤ 0, NaN) are left out.</summary>
    public static GenericChart Line(string title, string xLabel, string yLabel,
        IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> series,
        bool logY = false, int height = 450)
    {
        var lines = new List<GenericChart>();
        foreach (var (name, x, y) in series)
        {
            if (x.Count != y.Count) throw new ArgumentException($"series '{name}': {x.Count} x values but {y.Count} y values");
            var keep = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i]) && (!logY || y[i] > 0)).ToArray();
            lines.Add(PlotlyCs.Chart.Line<double, double, string>(keep.Select(i => x[i]), keep.Select(i => y[i]), Name: name, ShowLegend: true));
        }
        return Styled(PlotlyCs.Chart.Combine(lines), title, xLabel, yLabel, logY, height);
    }

    /// <summary>Title, axis titles, a log or linear y axis and the height: the styling every chart of the library shares.</summary>
    public static GenericChart Styled(GenericChart chart, string title, string xLabel, string yLabel, bool logY = false, int height = 450, bool logX = false)
    {
        chart = PlotlyCs.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: xLabel,
            AxisType: logX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        chart = PlotlyCs.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: yLabel,
            AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return WithTitle(PlotlyCs.GenericChartExtensions.WithSize(chart, Height: height), title);
    }

    public static GenericChart WithTitle(GenericChart chart, string title) => Chart.withTitle(title, null).Invoke(chart);

    /// <summary>
    /// The chart as a div and a script for a notebook output or a page: it draws once plotly.js is there (the
    /// page's script element, or the notebook's one inline copy from its setup cell), and says so when it is not.
    /// </summary>
    public static string Html(GenericChart chart)
    {
        var figure = Figure(chart);
        int height = figure["layout"]?["height"]?.GetValue<int>() ?? 450;
        string id = "difflab-chart-" + Guid.NewGuid().ToString("N")[..12];
        return $$"""
            <div id="{{id}}" style="width:100%;height:{{height.ToString(CultureInfo.InvariantCulture)}}px"></div>
            <script type="text/javascript">
            (async () => {
              const target = document.getElementById("{{id}}");
              if (!window.Plotly && window.difflabPlotlyLoading) await window.difflabPlotlyLoading;
              if (!window.Plotly) { target.textContent = "plotly.js is not loaded: run the notebook's setup cell (#!import _setup.dib)"; return; }
              const figure = {{figure.ToJsonString()}};
              window.Plotly.newPlot(target, figure.data, figure.layout, { responsive: true });
            })();
            </script>
            """;
    }

    /// <summary>A standalone page: the chart, with plotly.js from <paramref name="scriptSource"/> (a relative path).</summary>
    public static string PageHtml(GenericChart chart, string title, string scriptSource) =>
        $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>\n"
        + $"<script src=\"{WebUtility.HtmlEncode(scriptSource)}\"></script></head><body>\n{Html(chart)}\n</body></html>\n";

    /// <summary>Writes <see cref="PageHtml"/> to <paramref name="path"/>, loading the shared plotly.js (<see cref="PlotlyScript.SharedAssetFor"/>).</summary>
    public static void WritePage(GenericChart chart, string title, string path)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(path, PageHtml(chart, title, PlotlyScript.SharedAssetFor(directory)));
    }

    /// <summary>
    /// Plotly.NET's figure (data, layout) without its fixed 600 px width, so the chart fills its output and
    /// follows it (responsive); the height stays.
    /// </summary>
    public static JsonObject Figure(GenericChart chart)
    {
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        if (figure["layout"] is JsonObject layout) layout.Remove("width");
        figure.Remove("frames");
        return figure;
    }
}
