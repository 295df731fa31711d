using System.Globalization;
using System.Net;
using System.Text;
using DiffusionLab.Studies;
using Plotly.NET;
using PlotlyCs = Plotly.NET.CSharp;

namespace DiffusionLab.Interactive;

/// <summary>
/// A study in a notebook (and in results/&lt;study&gt;/curves.html): the FD curves of every run as one
/// interactive figure, the final-FD and speed-up tables, and the runs' sample grids, as HTML strings
/// for <c>display(HTML(...))</c>. The numbers come from <see cref="StudySummary"/>, the same ones the
/// study's README states.
/// </summary>
public static class StudyDisplay
{
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    /// <summary>
    /// Mean FD over seeds against training steps (left) and wall-clock seconds (right), log-log axes (evaluations double from the first steps); each
    /// seed's own evaluations are the faint points around its run's line (Plotly.NET; show it with
    /// <see cref="PlotlyChart.Html"/>, or as a notebook cell's value).
    /// </summary>
    public static GenericChart FdChart(StudySpec spec, StudyResults results, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        var bySteps = new List<GenericChart>();
        var bySeconds = new List<GenericChart>();
        var (meanSteps, meanSeconds) = (StudyFigures.MeanFdSeries(spec, results, false), StudyFigures.MeanFdSeries(spec, results, true));
        var (seedSteps, seedSeconds) = (StudyFigures.SeedFdSeries(spec, results, false), StudyFigures.SeedFdSeries(spec, results, true));
        for (int i = 0; i < spec.Runs.Length; i++)
        {
            var color = Color.fromHex(Colors[i % Colors.Length]);
            bySteps.Add(Mean(meanSteps[i], color, showLegend: true));
            bySteps.Add(Seeds(seedSteps[i], color));
            bySeconds.Add(Mean(meanSeconds[i], color, showLegend: false));
            bySeconds.Add(Seeds(seedSeconds[i], color));
        }
        var left = PlotlyChart.Styled(PlotlyCs.Chart.Combine(bySteps), "", "training step", "FD", logY: true, height, logX: true);
        var right = PlotlyChart.Styled(PlotlyCs.Chart.Combine(bySeconds), "", "training seconds", "", logY: true, height, logX: true);
        var grid = PlotlyCs.Chart.Grid([left, right], 1, 2);
        return PlotlyChart.WithTitle(PlotlyCs.GenericChartExtensions.WithSize(grid, Height: height),
            $"{spec.Name}: FD (lines: {StudyFigures.SeedsMeaned(spec, results)}; points: each seed)");
    }

    /// <summary><see cref="FdChart"/> as HTML for <c>display(HTML(...))</c>.</summary>
    public static string FdChartHtml(StudySpec spec, StudyResults results, int height = 480) => PlotlyChart.Html(FdChart(spec, results, height));

    /// <summary>The static counterpart: FD against steps or wall-clock as a PNG (base64, for image/png outputs).</summary>
    public static string FdCurvesPng(StudySpec spec, StudyResults results, bool wallClock = false) =>
        Convert.ToBase64String(StudyFigures.FdCurvesPng(spec, results, wallClock));

    /// <summary>Final FD per seed, mean and class accuracy of every run.</summary>
    public static string FinalTableHtml(StudySummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var html = new StringBuilder("<table><thead><tr><th>run</th><th>overrides</th><th>final step</th><th>FD per seed</th><th>mean FD</th><th>class accuracy</th></tr></thead><tbody>");
        foreach (var row in summary.Rows)
            html.Append($"<tr><td>{Enc(row.Label)}</td><td><code>{Enc(string.Join(" ", row.Run.Set))}</code></td><td>{row.FinalStep?.ToString(CultureInfo.InvariantCulture) ?? "–"}</td>"
                + $"<td>{Enc(string.Join(" / ", row.FinalFds.Select(f => F(f))))}</td><td><b>{(row.MeanFinalFd is { } m ? F(m) : "–")}</b></td><td>{(row.ClassAccuracy is { } a ? F(a, "F3") : "–")}</td></tr>");
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>
    /// An ablation's table: per arm the mean final FD, the range over seeds, the difference of the means to the
    /// baseline arm, and the paper's number where it gives one.
    /// </summary>
    public static string AblationTableHtml(StudySummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        double? baseline = summary[summary.Baseline.Name].MeanFinalFd;
        var html = new StringBuilder("<table><thead><tr><th>variant</th><th>overrides</th><th>mean final FD</th><th>seed range</th><th>Δ vs " + Enc(summary.BaselineLabel) + "</th><th>paper</th></tr></thead><tbody>");
        foreach (var row in summary.Rows)
        {
            string range = row.FinalFds.Count > 0 ? $"{F(row.FinalFds.Min())} – {F(row.FinalFds.Max())}" : "–";
            string delta = row.Run.Name == summary.Baseline.Name ? "(baseline)"
                : row.MeanFinalFd is { } m && baseline is { } b ? (m - b >= 0 ? "+" : "") + F(m - b) : "–";
            html.Append($"<tr><td>{Enc(row.Label)}</td><td><code>{Enc(string.Join(" ", row.Run.Set))}</code></td><td><b>{(row.MeanFinalFd is { } mean ? F(mean) : "–")}</b></td>"
                + $"<td>{range}</td><td>{delta}</td><td>{Enc(row.Run.Claim ?? "")}</td></tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>Steps and seconds to the baseline's final mean FD, as speed-ups, with the paper's claim beside them.</summary>
    public static string SpeedupTableHtml(StudySummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Target is not { } target) return $"<p>{Enc(summary.BaselineLabel)} has no evaluation yet.</p>";
        var html = new StringBuilder($"<p>Target: {Enc(summary.BaselineLabel)}'s final mean FD, {F(target)} (interpolated between evaluations).</p>");
        html.Append("<table><thead><tr><th>run</th><th>steps to target</th><th>speed-up (steps)</th><th>seconds to target</th><th>speed-up (wall-clock)</th><th>paper</th></tr></thead><tbody>");
        foreach (var row in summary.Rows)
        {
            string claim = row.Run.ClaimedSpeedup is { } c ? $"{F(c, "G3")}×: {summary.Verdict(row)}" : row.Run.Claim ?? "";
            html.Append(row.ToTarget is { } r
                ? $"<tr><td>{Enc(row.Label)}</td><td>{F(r.Steps, "F0")}</td><td><b>{row.Bound}{F(row.StepSpeedup!.Value)}×</b></td><td>{F(r.WallSeconds, "F0")}</td><td>{(row.WallClockSpeedup is { } w ? F(w) + "×" : "–")}</td><td>{Enc(claim)}</td></tr>"
                : $"<tr><td>{Enc(row.Label)}</td><td>not reached in {row.FinalStep} steps</td><td>&lt; 1×</td><td>–</td><td>–</td><td>{Enc(claim)}</td></tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The sample grid of every run that has one under <c>resultsDirectory/samples/RUN.png</c>, captioned with its label.</summary>
    public static string SamplesHtml(StudySpec spec, string resultsDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var html = new StringBuilder("<div style=\"display:flex;flex-wrap:wrap;gap:1em\">");
        int shown = 0;
        foreach (var run in spec.Runs)
        {
            string png = Path.Combine(resultsDirectory, "samples", StudyGridFiles.Last(run.Name));
            if (!File.Exists(png)) continue;
            shown++;
            html.Append($"<figure style=\"margin:0\"><img src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(png))}\" style=\"image-rendering:pixelated\"/>"
                + $"<figcaption>{Enc(run.DisplayLabel)}</figcaption></figure>");
        }
        if (shown == 0) throw new ArgumentException($"study results '{resultsDirectory}': no sample grids under samples/ for the runs of '{spec.Name}'");
        return html.Append("</div>").ToString();
    }

    /// <summary>
    /// The grids the runs drew over training, side by side: a row per run, a column per step at which any run has one
    /// under <c>resultsDirectory/samples/RUN-step-NNNNNNN.png</c> (the same noise for every run), so one model's
    /// broken strokes show next to another's at the same step; "–" where a run has no grid at that step.
    /// </summary>
    public static string SamplesOverTrainingHtml(StudySpec spec, string resultsDirectory, int width = 200)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string samples = Path.Combine(resultsDirectory, "samples");
        var steps = spec.Runs.ToDictionary(r => r.Name, r => StudyGridFiles.Steps(samples, r.Name));
        var columns = steps.Values.SelectMany(s => s).Distinct().Order().ToList();
        if (columns.Count == 0) throw new ArgumentException($"study results '{resultsDirectory}': no sample grids over training (samples/RUN-step-NNNNNNN.png) for the runs of '{spec.Name}'");
        var html = new StringBuilder("<table><thead><tr><th>run</th>");
        foreach (long step in columns) html.Append($"<th>step {step}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var run in spec.Runs.Where(r => steps[r.Name].Count > 0))
        {
            html.Append($"<tr><td>{Enc(run.DisplayLabel)}</td>");
            foreach (long step in columns)
                html.Append(steps[run.Name].Contains(step)
                    ? $"<td><img src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(Path.Combine(samples, StudyGridFiles.AtStep(run.Name, step))))}\" width=\"{width}\" style=\"image-rendering:pixelated\"/></td>"
                    : "<td>–</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    private static GenericChart Mean((string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y) s, Color color, bool showLegend) =>
        PlotlyCs.GenericChartExtensions.WithTraceInfo(
            PlotlyCs.Chart.Line<double, double, string>(s.X, s.Y, ShowMarkers: true, Name: s.Name, LineColor: color, MarkerColor: color),
            ShowLegend: showLegend, LegendGroup: s.Name);

    private static GenericChart Seeds((string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y) s, Color color) =>
        PlotlyCs.GenericChartExtensions.WithTraceInfo(
            PlotlyCs.Chart.Point<double, double, string>(s.X, s.Y, Name: s.Name + " (seeds)", Opacity: 0.35, MarkerColor: color),
            ShowLegend: false, LegendGroup: s.Name);

    private static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
