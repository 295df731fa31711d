using DiffusionLab.Imaging;

namespace DiffusionLab.Studies;

/// <summary>
/// A study's figures: the series (mean FD over seeds of every run, and each seed's evaluations, against training
/// steps or wall-clock), the one place they are read from the results, and the static PNGs (ScottPlot, log-scaled; FD on log-log axes, since evaluations double from step 50)
/// that go into results/ and notebooks. The interactive chart (Interactive.StudyDisplay.FdChart) draws the same series.
/// </summary>
public static class StudyFigures
{
    public static IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> MeanFdSeries(StudySpec spec, StudyResults results, bool wallClock)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        return spec.Runs.Select(run =>
        {
            var curve = results.MeanFdCurve(run.Name);
            return (run.DisplayLabel,
                (IReadOnlyList<double>)curve.Select(c => wallClock ? c.WallSeconds : c.Step).ToList(),
                (IReadOnlyList<double>)curve.Select(c => c.Fd).ToList());
        }).ToList();
    }

    /// <summary>Every seed's own FD evaluations per run (the points around its mean line), in run order.</summary>
    public static IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> SeedFdSeries(StudySpec spec, StudyResults results, bool wallClock)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        return spec.Runs.Select(run =>
        {
            var points = results.Seeds(run.Name).SelectMany(s => results.Evaluations(run.Name, s)).ToList();
            return (run.DisplayLabel,
                (IReadOnlyList<double>)points.Select(r => wallClock ? r.WallSeconds : r.Step).ToList(),
                (IReadOnlyList<double>)points.Select(r => r.Fd!.Value).ToList());
        }).ToList();
    }

    public static byte[] FdCurvesPng(StudySpec spec, StudyResults results, bool wallClock, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string title = $"{spec.Name}: FD vs training {(wallClock ? "wall-clock" : "steps")} ({SeedsMeaned(spec, results)})";
        return LineChart.RenderPng(title, wallClock ? "training seconds" : "training step", "FD (MNIST classifier features)",
            MeanFdSeries(spec, results, wallClock), width, height, logY: true, logX: true);
    }

    /// <summary>Mean over seeds of one evaluation metric against training steps, a series per run that has it.</summary>
    public static IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> MeanMetricSeries(StudySpec spec, StudyResults results, string metric)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(results);
        return spec.Runs.Select(run => (run, curve: results.MeanMetricCurve(run.Name, metric))).Where(p => p.curve.Count > 0)
            .Select(p => (string.IsNullOrEmpty(p.run.Label) ? p.run.Name : p.run.Label,
                (IReadOnlyList<double>)p.curve.Select(c => (double)c.Step).ToList(),
                (IReadOnlyList<double>)p.curve.Select(c => c.Value).ToList())).ToList();
    }

    /// <summary>
    /// Whether the models draw the asked-for digits, over training: the judge's class accuracy on the evaluation samples,
    /// and the denoising probe's label follow at one t ("probe_label_follow_t600": how often x̂₀ of a held-out digit noised
    /// to t, asked for another class, is read as that class): the mechanism behind the accuracy. Null without either.
    /// </summary>
    public static byte[]? LearningPng(StudySpec spec, StudyResults results, string metric, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var series = MeanMetricSeries(spec, results, metric);
        if (series.Count == 0) return null;
        string what = metric == "class_accuracy" ? "class accuracy of the samples (MNIST judge)"
            : metric.StartsWith("probe_label_follow_t", StringComparison.Ordinal) ? $"probe: label follow at t = {metric["probe_label_follow_t".Length..]}"
            : metric;
        // The study's name stays out of the title: with the metric's description it overflowed an 800-px figure.
        return LineChart.RenderPng($"{what}, {SeedsMeaned(spec, results)}", "training step", metric == "class_accuracy" ? "class accuracy" : what, series, width, height);
    }

    /// <summary>"mean of 3 seeds", or, in an interim report where some run has fewer, "mean of each run's seeds".</summary>
    public static string SeedsMeaned(StudySpec spec, StudyResults results) =>
        spec.Runs.All(r => results.Seeds(r.Name).Count == spec.Seeds.Length) ? $"mean of {spec.Seeds.Length} seeds" : "mean of each run's seeds";
}
