using DiffusionLab.IO;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace DiffusionLab.Imaging;

/// <summary>
/// Line charts rendered headless to PNG with ScottPlot (loss curves, FD-versus-steps curves). Any
/// smoothing is the caller's business: the chart draws exactly the points it is given.
/// </summary>
public static class LineChart
{
    public static byte[] RenderPng(string title, string xLabel, string yLabel,
        IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> series,
        int width = 800, int height = 500, bool logY = false)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height}: expected positive");
        using var plot = new Plot();
        foreach (var (name, x, y) in series)
        {
            if (x.Count != y.Count) throw new ArgumentException($"series '{name}': {x.Count} x values but {y.Count} y values");
            // A log axis cannot show y <= 0; such points are left out rather than drawn at -infinity.
            var keep = Enumerable.Range(0, x.Count).Where(i => !logY || y[i] > 0).ToArray();
            double[] xs = keep.Select(i => x[i]).ToArray();
            double[] ys = keep.Select(i => logY ? Math.Log10(y[i]) : y[i]).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = name;
            line.LineWidth = 2;
        }
        if (logY)
        {
            // ScottPlot 5 has no log axis: the data are log10-transformed and the ticks relabelled.
            // Decade ticks only when the data span a decade; otherwise no tick at all would show.
            var logs = series.SelectMany(s => s.y).Where(v => v > 0).Select(Math.Log10).ToList();
            bool spansDecade = logs.Count > 0 && Math.Floor(logs.Max()) > Math.Floor(logs.Min());
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = spansDecade,
                LabelFormatter = v => Math.Pow(10, v).ToString(spansDecade ? "G3" : "G5", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Count > 1) plot.ShowLegend();
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    public static void Save(string title, string xLabel, string yLabel,
        IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> series,
        string path, int width = 800, int height = 500, bool logY = false) =>
        AtomicFile.WriteAllBytes(path, RenderPng(title, xLabel, yLabel, series, width, height, logY));
}
