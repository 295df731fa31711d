using DiffusionLab.Imaging;
using SkiaSharp;

namespace DiffusionLab.Tests.Imaging;

public class LineChartTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Renders_a_png_of_the_requested_size(bool logY)
    {
        var steps = Enumerable.Range(0, 50).Select(i => (double)i * 100).ToArray();
        var loss = steps.Select(s => 1.0 / (1 + s / 500)).ToArray();
        var fd = steps.Select(s => s == 0 ? 0 : 50.0 * Math.Exp(-s / 2000)).ToArray(); // a zero, dropped on a log axis
        byte[] png = LineChart.RenderPng("loss", "step", "value",
            new (string, IReadOnlyList<double>, IReadOnlyList<double>)[] { ("loss", steps, loss), ("FD", steps, fd) },
            width: 400, height: 300, logY: logY);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((400, 300), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Mismatched_series_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => LineChart.RenderPng("t", "x", "y",
            new (string, IReadOnlyList<double>, IReadOnlyList<double>)[] { ("s", new double[] { 1, 2 }, new double[] { 1 }) }));
        Assert.Contains("'s'", e.Message);
    }

    [Theory]
    [InlineData(15.7, 2848, new double[] { 10, 100, 1000 })]  // two decades and more: decades only
    [InlineData(50, 300, new double[] { 50, 100, 200 })]       // under two: 1-2-5, at least two labels
    [InlineData(0.45, 0.95, new double[] { 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1 })]
    public void Log_axes_label_round_values_at_least_twice(double low, double high, double[] expected)
    {
        Assert.Equal(expected, LineChart.LogMajorTicks(low, high).Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void The_legend_goes_where_no_line_runs()
    {
        double[] x = [0, 1, 2, 3, 4];
        // Falling curves leave the upper right empty; rising ones starting flat leave the upper left.
        Assert.Equal(ScottPlot.Alignment.UpperRight, LineChart.EmptiestCorner([(x, [5, 4, 3, 2, 1]), (x, [5, 3, 2, 1, 0.5])]));
        Assert.Equal(ScottPlot.Alignment.UpperLeft, LineChart.EmptiestCorner([(x, [0.1, 0.1, 0.3, 0.7, 0.9])]));
    }
}
