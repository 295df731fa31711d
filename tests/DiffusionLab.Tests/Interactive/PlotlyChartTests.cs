using System.IO.Compression;
using System.Text.RegularExpressions;
using DiffusionLab.Interactive;
using DiffusionLab.Studies;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Interactive;

public class PlotlyChartTests
{
    private static readonly (string, IReadOnlyList<double>, IReadOnlyList<double>)[] Series =
        [("a", [1.0, 2, 3], [3.0, 0, 1]), ("b", [1.0, 2, 3], [2.0, double.NaN, 0.5])];

    [Fact]
    public void ALineChartIsPlotlyNetFigureJsonRenderedWithoutAnyScriptReference()
    {
        var figure = PlotlyChart.Figure(PlotlyChart.Line("t", "step", "loss", Series, logY: true, height: 300));
        var data = figure["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        Assert.Equal(2, data[0]!["x"]!.AsArray().Count); // y = 0 cannot sit on a log axis
        Assert.Equal(2, data[1]!["y"]!.AsArray().Count); // NaN is not JSON
        Assert.Equal("log", figure["layout"]!["yaxis"]!["type"]!.GetValue<string>());
        Assert.Equal(300, figure["layout"]!["height"]!.GetValue<int>());
        Assert.Null(figure["layout"]!["width"]); // fills its output
        string html = PlotlyChart.Html(PlotlyChart.Line("t", "step", "loss", Series));
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("window.difflabPlotlyLoading", html);
    }

    [Fact]
    public void TheNotebookLoaderInlinesTheVendoredPlotlyJsOnce()
    {
        string loader = PlotlyScript.InlineLoaderHtml();
        var gz = Convert.FromBase64String(Regex.Match(loader, "atob\\(\"([^\"]+)\"\\)").Groups[1].Value);
        using var unzipped = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress)) gzip.CopyTo(unzipped);
        var asset = File.ReadAllBytes(Path.Combine(NotebookRuns.RepositoryRoot(), "results", "assets", "plotly.min.js"));
        Assert.Equal(asset, unzipped.ToArray());
        Assert.Equal(asset, PlotlyScript.Bytes.ToArray());
        Assert.InRange(loader.Length, 1_800_000, 2_200_000);
        Assert.StartsWith("/**\n* plotly.js v" + PlotlyScript.Version, System.Text.Encoding.UTF8.GetString(asset, 0, 30));
    }

    [Fact]
    public void APageUnderAResultsTreeLoadsTheSharedAssetAndElsewhereGetsItsOwnCopy()
    {
        string root = TinyRuns.TempDir("plotly-page");
        Directory.CreateDirectory(Path.Combine(root, "results", "assets"));
        File.WriteAllBytes(Path.Combine(root, "results", "assets", "plotly.min.js"), PlotlyScript.Bytes.ToArray());
        var chart = PlotlyChart.Line("t", "step", "loss", Series);

        string nested = Path.Combine(root, "results", "study", "gpu-scale", "curves.html");
        PlotlyChart.WritePage(chart, "study <1>", nested);
        string page = File.ReadAllText(nested);
        Assert.Contains("<script src=\"../../assets/plotly.min.js\"></script>", page);
        Assert.Contains("<title>study &lt;1&gt;</title>", page);
        Assert.False(Directory.Exists(Path.Combine(root, "results", "study", "gpu-scale", "assets")));

        string alone = Path.Combine(root, "elsewhere", "curves.html");
        PlotlyChart.WritePage(chart, "x", alone);
        Assert.Contains("<script src=\"assets/plotly.min.js\"></script>", File.ReadAllText(alone));
        Assert.Equal(PlotlyScript.Bytes.Length, new FileInfo(Path.Combine(root, "elsewhere", "assets", "plotly.min.js")).Length);
    }

    [Fact]
    public void TheStudyFdChartHasAMeanLineAndSeedPointsPerRunOnTwoLogAxes()
    {
        string repo = NotebookRuns.RepositoryRoot();
        var study = StudyNotebook.Load(Path.Combine(repo, "experiments", "convergence-mnist"), Path.Combine(repo, "results", "convergence-mnist"));
        var figure = PlotlyChart.Figure(study.FdChart());
        var data = figure["data"]!.AsArray();
        Assert.Equal(4 * study.Spec.Runs.Length, data.Count);
        Assert.Equal("log", figure["layout"]!["yaxis"]!["type"]!.GetValue<string>());
        Assert.Equal("log", figure["layout"]!["yaxis2"]!["type"]!.GetValue<string>());
        Assert.Equal("training seconds", figure["layout"]!["xaxis2"]!["title"]!["text"]!.GetValue<string>());
        // The mean line is the same series the static curves.png draws.
        var mean = StudyFigures.MeanFdSeries(study.Spec, study.Results, wallClock: false)[0];
        Assert.Equal(mean.y, data[0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()).ToList());
    }
}
