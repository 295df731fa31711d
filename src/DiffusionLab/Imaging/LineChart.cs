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
        int width = 800, int height = 500, bool logY = false, bool logX = false)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height}: expected positive");
        using var plot = new Plot();
        var drawn = new List<(double[] x, double[] y)>();
        foreach (var (name, x, y) in series)
        {
            if (x.Count != y.Count) throw new ArgumentException($"series '{name}': {x.Count} x values but {y.Count} y values");
            // A log axis cannot show values <= 0; such points are left out rather than drawn at -infinity.
            var keep = Enumerable.Range(0, x.Count).Where(i => (!logY || y[i] > 0) && (!logX || x[i] > 0)).ToArray();
            double[] xs = keep.Select(i => logX ? Math.Log10(x[i]) : x[i]).ToArray();
            double[] ys = keep.Select(i => logY ? Math.Log10(y[i]) : y[i]).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = name;
            line.LineWidth = 2;
            drawn.Add((xs, ys));
        }
        // ScottPlot 5 has no log axis: the data are log10-transformed and the ticks placed and labelled here.
        if (logY) plot.Axes.Left.TickGenerator = LogTicks(drawn.SelectMany(d => d.y).ToList());
        if (logX) plot.Axes.Bottom.TickGenerator = LogTicks(drawn.SelectMany(d => d.x).ToList());
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Count > 1)
        {
            plot.ShowLegend();
            plot.Legend.Alignment = EmptiestCorner(drawn);
        }
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// The labelled values of a log axis over data from <paramref name="low"/> to <paramref name="high"/> (not
    /// transformed): every decade when the data span two or more, 1-2-5 within a decade or two, 1…9 below that, so
    /// that at least two labelled ticks show; a margin of a fifth of the span on each side, as the plot's own.
    /// </summary>
    public static IReadOnlyList<double> LogMajorTicks(double low, double high) => LogTickValues(low, high).Where(t => t.major).Select(t => t.value).ToList();

    private static IEnumerable<(double value, bool major)> LogTickValues(double low, double high)
    {
        if (!(low > 0) || !(high >= low)) throw new ArgumentOutOfRangeException(nameof(low), $"range [{low}, {high}]: expected 0 < low <= high");
        double a = Math.Log10(low), b = Math.Log10(high), span = b - a, margin = 0.2 * Math.Max(span, 0.1);
        int[] major = span >= 2 ? [1] : span >= 0.7 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        for (int decade = (int)Math.Floor(a) - 1; decade <= (int)Math.Ceiling(b); decade++)
        for (int m = 1; m <= 9; m++)
        {
            double value = m * Math.Pow(10, decade), position = Math.Log10(value);
            if (position >= a - margin && position <= b + margin) yield return (value, major.Contains(m));
        }
    }

    /// <summary>Ticks of a log10-transformed axis: <see cref="LogMajorTicks"/> labelled, the other integers of each decade minor.</summary>
    private static NumericManual LogTicks(IReadOnlyList<double> logs)
    {
        var ticks = new NumericManual();
        if (logs.Count == 0) return ticks;
        foreach (var (value, major) in LogTickValues(Math.Pow(10, logs.Min()), Math.Pow(10, logs.Max())))
            if (major) ticks.AddMajor(Math.Log10(value), Label(value));
            else ticks.AddMinor(Math.Log10(value));
        return ticks;
    }

    private static string Label(double value) =>
        value >= 1000 ? value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The corner of the data area (as plotted) with the least of the lines under a legend-sized box, so the legend hides no curve's end.</summary>
    public static Alignment EmptiestCorner(IReadOnlyList<(double[] x, double[] y)> drawn)
    {
        var xs = drawn.SelectMany(d => d.x).ToList();
        var ys = drawn.SelectMany(d => d.y).ToList();
        if (xs.Count == 0) return Alignment.UpperRight;
        double x0 = xs.Min(), xSpan = Math.Max(xs.Max() - x0, 1e-12), y0 = ys.Min(), ySpan = Math.Max(ys.Max() - y0, 1e-12);
        // Points along the lines, not only the vertices: a long straight segment crosses a corner without a point in it.
        var along = drawn.SelectMany(d => Enumerable.Range(0, Math.Max(d.x.Length - 1, 0)).SelectMany(i =>
            Enumerable.Range(0, 20).Select(k => ((d.x[i] + (d.x[i + 1] - d.x[i]) * k / 20.0 - x0) / xSpan, (d.y[i] + (d.y[i + 1] - d.y[i]) * k / 20.0 - y0) / ySpan)))
            .Concat(d.x.Zip(d.y, (x, y) => ((x - x0) / xSpan, (y - y0) / ySpan)))).ToList();
        (Alignment corner, Func<double, double, bool> under)[] corners =
        [
            (Alignment.UpperRight, (x, y) => x > 0.55 && y > 0.7),
            (Alignment.UpperLeft, (x, y) => x < 0.45 && y > 0.7),
            (Alignment.LowerRight, (x, y) => x > 0.55 && y < 0.3),
            (Alignment.LowerLeft, (x, y) => x < 0.45 && y < 0.3),
        ];
        return corners.OrderBy(c => along.Count(p => c.under(p.Item1, p.Item2))).First().corner;
    }

    public static void Save(string title, string xLabel, string yLabel,
        IReadOnlyList<(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)> series,
        string path, int width = 800, int height = 500, bool logY = false, bool logX = false) =>
        AtomicFile.WriteAllBytes(path, RenderPng(title, xLabel, yLabel, series, width, height, logY, logX));
}
