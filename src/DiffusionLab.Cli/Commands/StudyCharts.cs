using System.Text.Json.Nodes;
using DiffusionLab.Interactive;
using DiffusionLab.IO;
using DiffusionLab.Training;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// curves.html of a study: the mean FD curves against training steps and against wall-clock side by
/// side in one interactive plotly figure (one embedded copy of plotly.js, no CDN).
/// </summary>
public static class StudyCharts
{
    public static void WriteHtml(StudySpec spec, StudyResults results, string path)
    {
        var traces = new JsonArray();
        string[] colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
        for (int i = 0; i < spec.Runs.Length; i++)
        {
            var run = spec.Runs[i];
            var curve = results.MeanFdCurve(run.Name);
            string name = string.IsNullOrEmpty(run.Label) ? run.Name : run.Label;
            string color = colors[i % colors.Length];
            traces.Add(Trace(name, color, curve.Select(c => (double)c.Step), curve.Select(c => c.Fd), "x", "y", showLegend: true));
            traces.Add(Trace(name, color, curve.Select(c => c.WallSeconds), curve.Select(c => c.Fd), "x2", "y2", showLegend: false));
        }
        var layout = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = $"{spec.Name}: FD (mean of {spec.Seeds.Length} seeds)" },
            ["grid"] = new JsonObject { ["rows"] = 1, ["columns"] = 2, ["pattern"] = "independent" },
            ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "training step" } },
            ["xaxis2"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "training seconds" } },
            ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "FD" }, ["type"] = "log" },
            ["yaxis2"] = new JsonObject { ["type"] = "log" },
            ["height"] = 480,
        };
        string page = $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{spec.Name}</title></head><body>\n{PlotlyChart.Html(traces, layout, 480)}\n</body></html>\n";
        AtomicFile.WriteAllText(path, page);
    }

    private static JsonObject Trace(string name, string color, IEnumerable<double> x, IEnumerable<double> y, string xAxis, string yAxis, bool showLegend) => new()
    {
        ["type"] = "scatter",
        ["mode"] = "lines+markers",
        ["name"] = name,
        ["legendgroup"] = name,
        ["showlegend"] = showLegend,
        ["line"] = new JsonObject { ["color"] = color },
        ["x"] = new JsonArray(x.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        ["y"] = new JsonArray(y.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        ["xaxis"] = xAxis,
        ["yaxis"] = yAxis,
    };
}
