using System.Text.Json.Nodes;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Notebooks;

[Collection(NotebookRuns.Collection)]
public class QuickstartNotebookTests
{
    [Fact]
    public void RunsHeadlessWithSmallParametersAndShowsImagesAndCharts()
    {
        string dir = TinyRuns.TempDir("nb-quickstart");
        string output = Path.Combine(dir, "01-quickstart.out.ipynb");
        string notebook = Path.Combine(NotebookRuns.RepositoryRoot(), "notebooks", "01-quickstart.ipynb");

        var (code, stdout, stderr) = NotebookRuns.Difflab("notebook", "run", notebook,
            "--set", "steps=3", "--set", "batchSize=8", "--set", "samplingSteps=5", "--set", "sampleCount=10",
            "--set", "evalSamples=20", "--set", $"runDir={Path.Combine(dir, "run")}", "--output", output);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        var cells = JsonNode.Parse(File.ReadAllText(output))!["cells"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var outputs = cells.Where(c => c["cell_type"]!.GetValue<string>() == "code").SelectMany(c => c["outputs"]!.AsArray().Select(o => o!.AsObject())).ToList();
        Assert.DoesNotContain(outputs, o => o["output_type"]!.GetValue<string>() == "error");
        Assert.All(cells.Where(c => c["cell_type"]!.GetValue<string>() == "code"), c => Assert.NotNull(c["execution_count"]));

        // The parameters were injected after the tagged cell, papermill style.
        int tagged = cells.FindIndex(c => c["metadata"]?["tags"]?.AsArray().Any(t => t!.GetValue<string>() == "parameters") == true);
        Assert.Contains("steps = 3;", string.Concat(cells[tagged + 1]["source"]!.GetValue<string>()));

        var data = outputs.Select(o => o["data"]).OfType<JsonObject>().ToList();
        var pngs = data.Where(d => d.ContainsKey("image/png")).Select(d => Convert.FromBase64String(d["image/png"]!.GetValue<string>())).ToList();
        Assert.True(pngs.Count >= 2, $"expected the sample grid and the loss curve as image/png, got {pngs.Count}");
        var tensorCell = cells.Single(c => c["id"]?.GetValue<string>() == "tensor")["outputs"]!.AsArray();
        Assert.Contains("data:image/png;base64,", tensorCell.Single()!["data"]!["text/html"]!.GetValue<string>()); // NotebookFormatters in the kernel
        Assert.All(pngs, p => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, p[..4]));
        var html = data.Where(d => d.ContainsKey("text/html")).Select(d => d["text/html"]!.GetValue<string>()).ToList();
        var nb = NotebookOutputs.Read(output);
        nb.AssertChartsOffline(output); // Plotly.NET charts, plotly.js once from the setup, no CDN
        Assert.Contains(nb.Html("loss-chart"), h => h.Contains("Plotly.newPlot") && h.Contains("loss (masked)"));
        Assert.Contains(nb.Html("metrics-chart"), h => h.Contains("Plotly.newPlot") && h.Contains("vb (learned variance)"));
        Assert.Single(nb.Html("setup"), h => h.Contains("DecompressionStream"));
        // Training shows one progress display, updated in place (its last state), not printed lines.
        var progress = cells.Single(c => c["id"]?.GetValue<string>() == "train")["outputs"]!.AsArray()
            .Select(o => o!["data"]).OfType<JsonObject>().Where(d => d.ContainsKey("text/plain")).ToList();
        var board = Assert.Single(progress);
        Assert.Contains("training: 3/3", board["text/plain"]!.GetValue<string>());
        Assert.Contains("evaluation: 20 samples: 20/20", board["text/plain"]!.GetValue<string>());
        Assert.Contains("<svg", board["text/html"]!.GetValue<string>());
        Assert.DoesNotContain("step 1/3", nb.Text("train"));
        Assert.Contains(html, h => h.Contains("MDTv2-Tiny/4") && h.Contains("data:image/png;base64,")); // the run summary
        Assert.True(File.Exists(Path.Combine(dir, "run", "loss.png")));
    }
}
