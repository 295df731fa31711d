using DiffusionLab.Imaging;

namespace DiffusionLab.Studies;

/// <summary>
/// A study's figures: the series (mean FD over seeds of every run, and each seed's evaluations, against training
/// steps or wall-clock), the one place they are read from the results, and the static PNGs (ScottPlot, log-scaled)
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
            return (string.IsNullOrEmpty(run.Label) ? run.Name : run.Label,
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
            return (string.IsNullOrEmpty(run.Label) ? run.Name : run.Label,
                (IReadOnlyList<double>)points.Select(r => wallClock ? r.WallSeconds : r.Step).ToList(),
                (IReadOnlyList<double>)points.Select(r => r.Fd!.Value).ToList());
        }).ToList();
    }

    public static byte[] FdCurvesPng(StudySpec spec, StudyResults results, bool wallClock, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string title = $"{spec.Name}: FD vs training {(wallClock ? "wall-clock" : "steps")} (mean of {spec.Seeds.Length} seeds)";
        return LineChart.RenderPng(title, wallClock ? "training seconds" : "training step", "FD (MNIST classifier features)",
            MeanFdSeries(spec, results, wallClock), width, height, logY: true);
    }
}
