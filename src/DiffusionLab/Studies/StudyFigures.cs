using DiffusionLab.Imaging;

namespace DiffusionLab.Studies;

/// <summary>
/// A study's static figures (ScottPlot PNG): the mean FD over seeds of every run against training
/// steps or against training wall-clock, log-scaled. The same PNGs go into results/ and notebooks.
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

    public static byte[] FdCurvesPng(StudySpec spec, StudyResults results, bool wallClock, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string title = $"{spec.Name}: FD vs training {(wallClock ? "wall-clock" : "steps")} (mean of {spec.Seeds.Length} seeds)";
        return LineChart.RenderPng(title, wallClock ? "training seconds" : "training step", "FD (MNIST classifier features)",
            MeanFdSeries(spec, results, wallClock), width, height, logY: true);
    }
}
