using DiffusionLab.Interactive;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Interactive;

public class NotebookDisplayTests
{
    private static string RunWithMetrics(string name, double scale)
    {
        string dir = Path.Combine(TinyRuns.TempDir("display"), name);
        var run = new RunFolder(dir);
        Directory.CreateDirectory(dir);
        File.WriteAllText(run.ConfigFile, TrainConfigLoader.ToJson(TinyRuns.Config("MDTv2-Tiny/4")).ToJsonString());
        var log = new MetricsLog(run.MetricsFile);
        for (int step = 1; step <= 4; step++) log.Append(new Dictionary<string, double> { ["step"] = step, ["loss"] = scale / step, ["m_loss"] = 2 * scale / step });
        log.Append(new Dictionary<string, double> { ["step"] = 4, ["fd"] = 12.5 * scale });
        return dir;
    }

    [Fact]
    public void ImagesBecomeOnePngGrid()
    {
        using var images = torch.zeros(12, 1, 8, 8);
        var png = Convert.FromBase64String(NotebookDisplay.ImagesPng(images, columns: 5, scale: 2));
        using var decoded = DiffusionLab.Imaging.TensorImages.FromPng(png, 1);
        Assert.Equal(new long[] { 1, 3 * 16 + 4 * 2, 5 * 16 + 6 * 2 }, decoded.shape);
        Assert.StartsWith("<figure", NotebookDisplay.ImagesHtml(images[0], caption: "one <digit>"));
        Assert.Contains("one &lt;digit&gt;", NotebookDisplay.ImagesHtml(images[0], caption: "one <digit>"));
    }

    [Fact]
    public void TensorsRenderAsImagesWhenImageShapedElseAsValues()
    {
        using var batch = torch.zeros(3, 1, 8, 8);
        Assert.Contains("data:image/png;base64,", NotebookDisplay.TensorHtml(batch));
        using var loss = torch.tensor(new[] { 0.5f, 0.25f });
        string text = NotebookDisplay.TensorHtml(loss);
        Assert.StartsWith("<pre>Tensor [2] Float32", text);
        Assert.Contains("0.25", text);
        Assert.False(NotebookFormatters.Register()); // no notebook host in the test process: nothing to register with
    }

    [Fact]
    public void RunRendersAsSummaryStaticCurveAndInteractiveChart()
    {
        string run = RunWithMetrics("a", 1);
        string summary = NotebookDisplay.RunHtml(run);
        Assert.Contains("MDTv2-Tiny/4", summary);
        Assert.Contains("<td>fd</td><td>12.5</td>", summary);

        var png = Convert.FromBase64String(NotebookDisplay.LossCurvePng(run));
        Assert.Equal((byte)'P', png[1]);

        string chart = NotebookDisplay.LossChartHtml(run);
        Assert.Contains("\"name\":\"loss (masked)\"", chart);
        Assert.Contains("\"type\":\"log\"", chart);
        Assert.Contains("Plotly.newPlot", chart);
        Assert.DoesNotContain(" src=", chart); // no script reference at all: the chart waits for the notebook's one plotly.js
        Assert.InRange(chart.Length, 1_000, 50_000); // the figure only, not plotly.js
    }

    [Fact]
    public void AblationTableHasARowPerRunAndTheConfigKeysThatDiffer()
    {
        string a = RunWithMetrics("a", 1), b = RunWithMetrics("b", 2);
        File.WriteAllText(new RunFolder(b).ConfigFile, TrainConfigLoader.ToJson(TinyRuns.Config("MDTv2-Tiny/4", 6, "Training.BatchSize=16")).ToJsonString());
        string table = NotebookDisplay.RunsTableHtml([a, b], ["loss", "fd"]);
        Assert.Contains("<th>Training.BatchSize</th><th>loss</th><th>fd</th>", table);
        Assert.Contains("<tr><td>b</td><td>16</td><td>0.5</td><td>25</td></tr>", table);
        string chart = NotebookDisplay.MetricsChartHtml([a, b], ["loss"]);
        Assert.Contains("\"name\":\"b: loss\"", chart);
    }
}
