using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DiffusionLab.Imaging;
using DiffusionLab.Runs;
using Plotly.NET;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Interactive;

/// <summary>
/// What a notebook shows, as strings the host displays: base64 PNG for <c>.DisplayAs("image/png")</c>
/// and HTML for <c>display(HTML(...))</c>. Producing strings keeps the library free of any notebook
/// host (the CLI and tests never load .NET Interactive); the notebook does the one-line display call.
/// </summary>
public static class NotebookDisplay
{
    /// <summary>An image (C,H,W) or batch (N,C,H,W) in [−1,1] as one PNG grid, base64 (for image/png outputs).</summary>
    public static string ImagesPng(Tensor images, int columns = 10, int scale = 2)
    {
        using var batch = images.dim() == 3 ? images.unsqueeze(0) : images.alias();
        return Convert.ToBase64String(ImageGrid.ToPng(batch, columns, padding: 2, scale: scale));
    }

    /// <summary>The same grid as an HTML figure, with an optional caption.</summary>
    public static string ImagesHtml(Tensor images, int columns = 10, int scale = 2, string? caption = null) =>
        Figure(ImagesPng(images, columns, scale), caption);

    /// <summary>
    /// A tensor for a notebook: (N,C,H,W) or (C,H,W) with C = 1 or 3 and at least 8×8 pixels as an image
    /// grid (values in [−1,1], the library's image range), anything else as shape, dtype and values.
    /// </summary>
    public static string TensorHtml(Tensor tensor)
    {
        var shape = tensor.shape;
        bool floating = tensor.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;
        bool image = floating && tensor.dim() is 3 or 4 && shape[^3] is 1 or 3 && shape[^2] >= 8 && shape[^1] >= 8 && tensor.numel() > 0;
        string header = $"Tensor [{string.Join(", ", shape)}] {tensor.dtype} on {tensor.device}";
        if (image) return Figure(ImagesPng(tensor, columns: Math.Min(10, (int)(tensor.dim() == 4 ? shape[0] : 1)), scale: shape[^1] <= 64 ? 2 : 1), header);
        return $"<pre>{Enc(header)}\n{Enc(tensor.numel() <= 1000 ? tensor.cpu().ToString(TorchSharp.TensorStringStyle.Numpy) : "(values omitted: more than 1000 elements)")}</pre>";
    }

    /// <summary>The run's loss curve(s) as a static PNG (ScottPlot), base64: for viewers without JavaScript.</summary>
    public static string LossCurvePng(string runDirectory, int width = 800, int height = 450) =>
        Convert.ToBase64String(LineChart.RenderPng(Title(runDirectory, "training loss"), "step", "loss (mse + vb)", NonEmpty(RunMetrics.Loss(runDirectory), runDirectory), width, height, logY: true));

    /// <summary>The run's loss curve(s) as an interactive chart (Plotly.NET: a cell's value, or <see cref="PlotlyChart.Html"/>).</summary>
    public static GenericChart LossChart(string runDirectory, int height = 450) =>
        PlotlyChart.Line(Title(runDirectory, "training loss"), "step", "loss (mse + vb)", NonEmpty(RunMetrics.Loss(runDirectory), runDirectory), logY: true, height: height);

    /// <summary><see cref="LossChart"/> as HTML (offline: it waits for the notebook's one plotly.js).</summary>
    public static string LossChartHtml(string runDirectory, int height = 450) => PlotlyChart.Html(LossChart(runDirectory, height));

    /// <summary>Any metrics of several runs on one interactive chart: series "run: metric" (convergence curves of a study).</summary>
    public static GenericChart MetricsChart(IEnumerable<string> runDirectories, IReadOnlyList<string> metrics, bool logY = false, int height = 450)
    {
        var series = new List<(string, IReadOnlyList<double>, IReadOnlyList<double>)>();
        foreach (var run in runDirectories)
            foreach (var metric in metrics)
            {
                var (steps, values) = RunMetrics.Series(run, metric);
                if (steps.Count > 0) series.Add(($"{Path.GetFileName(Path.GetFullPath(run))}: {metric}", steps, values));
            }
        return PlotlyChart.Line(string.Join(", ", metrics) + " vs step", "step", string.Join(", ", metrics), series, logY, height);
    }

    /// <summary><see cref="MetricsChart"/> as HTML.</summary>
    public static string MetricsChartHtml(IEnumerable<string> runDirectories, IReadOnlyList<string> metrics, bool logY = false, int height = 450) =>
        PlotlyChart.Html(MetricsChart(runDirectories, metrics, logY, height));

    /// <summary>
    /// An ablation table: one row per run, the last value of each metric (all metrics the runs logged
    /// when <paramref name="metrics"/> is null), plus the config keys that differ between the runs.
    /// </summary>
    public static string RunsTableHtml(IEnumerable<string> runDirectories, IReadOnlyList<string>? metrics = null)
    {
        var runs = runDirectories.Select(r => (Name: Path.GetFileName(Path.GetFullPath(r)), Config: FlatConfig(r), Last: RunMetrics.Last(r))).ToList();
        var differing = runs.SelectMany(r => r.Config.Keys).Distinct()
            .Where(k => runs.Select(r => r.Config.GetValueOrDefault(k, "")).Distinct().Count() > 1).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var columns = metrics ?? runs.SelectMany(r => r.Last.Keys).Distinct().Where(k => k != "wall_seconds").ToList();
        var html = new StringBuilder("<table><thead><tr><th>run</th>");
        foreach (var k in differing) html.Append($"<th>{Enc(k)}</th>");
        foreach (var m in columns) html.Append($"<th>{Enc(m)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var r in runs)
        {
            html.Append($"<tr><td>{Enc(r.Name)}</td>");
            foreach (var k in differing) html.Append($"<td>{Enc(r.Config.GetValueOrDefault(k, ""))}</td>");
            foreach (var m in columns) html.Append($"<td>{(r.Last.TryGetValue(m, out var v) ? Number(v) : "")}</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>A run folder at a glance: what was trained, its last metrics, the newest sample grid and the loss curve.</summary>
    public static string RunHtml(string runDirectory)
    {
        var run = new RunFolder(runDirectory);
        if (!run.Exists) throw new ArgumentException($"run '{runDirectory}': no config.json, not a run folder");
        var config = FlatConfig(runDirectory);
        var last = RunMetrics.Last(runDirectory);
        var html = new StringBuilder();
        // A stage run (PhotoMaker) names its stage and the run it was trained on instead of a preset and a dataset.
        string what = config.TryGetValue("Stage", out var stage)
            ? $"{stage} on {config.GetValueOrDefault("BaseCheckpoint", "?")}"
            : $"{config.GetValueOrDefault("Model.Preset", "?")} on {config.GetValueOrDefault("Data.Dataset", "?")}";
        html.Append($"<div><h4>{Enc(what)}: {Enc(run.Path)}</h4>");
        html.Append("<table><thead><tr><th>metric</th><th>last value</th></tr></thead><tbody>");
        foreach (var (k, v) in last) html.Append($"<tr><td>{Enc(k)}</td><td>{Number(v)}</td></tr>");
        html.Append("</tbody></table>");
        html.Append("<details><summary>config</summary><table><tbody>");
        foreach (var (k, v) in config) html.Append($"<tr><td>{Enc(k)}</td><td>{Enc(v)}</td></tr>");
        html.Append("</tbody></table></details>");
        string? grid = run.SampleGrids() is [.., var lastGrid] ? lastGrid.File : null;
        if (grid is not null) html.Append(Figure(Convert.ToBase64String(File.ReadAllBytes(grid)), $"samples/{Path.GetFileName(grid)}"));
        if (File.Exists(run.LossCurveFile)) html.Append(Figure(Convert.ToBase64String(File.ReadAllBytes(run.LossCurveFile)), "loss.png", width: 600));
        return html.Append("</div>").ToString();
    }

    /// <summary>
    /// What a notebook loaded, at a glance: a run folder as <see cref="RunHtml"/> shows it, or a shipped model
    /// (<c>zoo:NAME</c>), which has no loss curve, by its provenance: how it was trained and how it was judged as shipped.
    /// </summary>
    public static string ModelHtml(string runOrZooName)
    {
        if (!ModelZoo.IsZooName(runOrZooName)) return RunHtml(runOrZooName);
        var model = ModelZoo.Default().Find(runOrZooName);
        var p = model.Provenance();
        var html = new StringBuilder($"<div><h4>{Enc(model.ZooName)}: {Enc(p.Kind)}{(p.Preset is null ? "" : " " + Enc(p.Preset))}, step {p.Step}</h4>");
        html.Append("<table><tbody>");
        void Row(string k, string? v) { if (v is not null) html.Append($"<tr><td>{Enc(k)}</td><td>{Enc(v)}</td></tr>"); }
        Row("trained by", p.Command);
        Row("revision", p.GitRevision);
        Row("device", p.Device);
        Row("date", p.Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        Row("weights", p.Weights);
        Row("base", p.Base);
        if (p.Judged is { } judged)
            Row($"judged as shipped ({p.JudgedWith})", string.Join(", ", judged.Select(kv => $"{kv.Key} {kv.Value.ToString("G4", CultureInfo.InvariantCulture)}")));
        else if (p.Metrics is { } metrics)
            Row("the run's last evaluation", string.Join(", ", metrics.Select(kv => $"{kv.Key} {kv.Value.ToString("G4", CultureInfo.InvariantCulture)}")));
        return html.Append("</tbody></table></div>").ToString();
    }

    private static IReadOnlyList<(string, IReadOnlyList<double>, IReadOnlyList<double>)> NonEmpty(
        IReadOnlyList<(string, IReadOnlyList<double>, IReadOnlyList<double>)> series, string runDirectory) =>
        series.Count > 0 ? series : throw new ArgumentException($"run '{runDirectory}': metrics.jsonl has no loss yet");

    private static string Title(string runDirectory, string what)
    {
        string preset = FlatConfig(runDirectory).GetValueOrDefault("Model.Preset", "");
        return preset.Length > 0 ? $"{preset}: {what}" : what;
    }

    /// <summary>config.json flattened to "Section.Key" → JSON text of the value.</summary>
    private static SortedDictionary<string, string> FlatConfig(string runDirectory)
    {
        var flat = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var file = new RunFolder(runDirectory).ConfigFile;
        if (!File.Exists(file)) return flat;
        void Walk(JsonNode? node, string prefix)
        {
            if (node is JsonObject obj) foreach (var (k, v) in obj) Walk(v, prefix.Length == 0 ? k : $"{prefix}.{k}");
            else flat[prefix] = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "null";
        }
        Walk(JsonNode.Parse(File.ReadAllText(file)), "");
        return flat;
    }

    private static string Figure(string pngBase64, string? caption, int? width = null) =>
        $"<figure style=\"margin:0.5em 0\"><img src=\"data:image/png;base64,{pngBase64}\"{(width is { } w ? $" width=\"{w}\"" : "")} style=\"image-rendering:pixelated\"/>"
        + (caption is null ? "" : $"<figcaption>{Enc(caption)}</figcaption>") + "</figure>";

    private static string Number(double v) => Enc(v.ToString("G5", CultureInfo.InvariantCulture));

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
