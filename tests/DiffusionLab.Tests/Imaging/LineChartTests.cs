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
}
