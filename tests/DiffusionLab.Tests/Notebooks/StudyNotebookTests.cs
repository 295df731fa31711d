using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Notebooks;

/// <summary>
/// Notebooks 02 and 03 read their study's committed results and, with liveSteps > 0, train a short
/// live version of two of its runs: both parts must show charts, tables and samples inline.
/// </summary>
[Collection(NotebookRuns.Collection)]
public class StudyNotebookTests
{
    [Theory]
    [InlineData("02-convergence.ipynb", "convergence-mnist-digits", "speedup", "dit-matched,mdtv2-matched")]
    [InlineData("03-position-encoding-ablation.ipynb", "posenc-ablation-mnist", "ablation", "full,no-relbias")]
    public void TheStudyNotebookShowsTheCommittedResultsAndALiveRun(string file, string study, string tableCell, string liveRuns)
    {
        string dir = TinyRuns.TempDir("nb-" + study);
        string output = Path.Combine(dir, file.Replace(".ipynb", ".out.ipynb"));
        string notebook = Path.Combine(NotebookRuns.RepositoryRoot(), "notebooks", file);

        var (code, stdout, stderr) = NotebookRuns.Difflab("notebook", "run", notebook, "--set", "liveSteps=2", "--set", "liveEvalSamples=8",
            "--set", $"liveRuns={liveRuns}", "--set", $"liveRunsRoot={Path.Combine(dir, "runs")}", "--output", output);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        var nb = NotebookOutputs.Read(output);
        Assert.Empty(nb.Errors);
        nb.AssertChartsOffline(output);
        Assert.Contains(study, nb.Text("load"));
        Assert.Contains(nb.Html("fd-chart"), h => h.Contains("Plotly.newPlot"));
        foreach (var cell in new[] { "fd-png", "fd-png-wall" })
            Assert.All(nb.Pngs(cell), p => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, p[..4]));
        Assert.Single(nb.Pngs("fd-png"));
        Assert.Contains(nb.Html(tableCell), h => h.Contains("<table"));
        Assert.Contains(nb.Html("final"), h => h.Contains("<table"));
        Assert.Contains(nb.Html("samples"), h => h.Contains("data:image/png;base64,"));
        Assert.Contains(nb.Html("live"), h => h.Contains("Plotly.newPlot"));
        if (file.StartsWith("02", StringComparison.Ordinal))
        {
            // The convergence notebook also shows when the models draw digits, and the target ladders.
            Assert.Single(nb.Pngs("class-accuracy"));
            Assert.Single(nb.Pngs("label-follow"));
            Assert.Contains(nb.Markdown("ladders"), m => m.Contains("% of the budget") && m.Contains("| class accuracy |") && m.Contains("The papers' recipes against each other"));
            // And the grids of every run at matched steps, side by side.
            Assert.Contains(nb.Html("samples-over-training"), h => h.Contains("<th>step 8000</th>") && h.Contains("data:image/png;base64,"));
        }
        else
            // The ablation notebook pairs each variant with the full model, seed by seed.
            Assert.Contains(nb.Markdown("paired"), m => m.Contains("mean ΔFD ± SE [95 % interval]") && m.Contains("no relative position bias"));
        foreach (var run in liveRuns.Split(','))
            Assert.True(Directory.Exists(Path.Combine(dir, "runs", study, "notebook", run + "-seed0")), $"no live run folder for {run}");
    }
}
