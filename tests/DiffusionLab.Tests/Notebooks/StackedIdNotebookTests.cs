using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Notebooks;

[Collection(NotebookRuns.Collection)]
public class StackedIdNotebookTests
{
    [Fact]
    public void TheStackedIdNotebookTrainsAStandInAndShowsGenerationsInline()
    {
        // A tiny text-to-image base made here; the PhotoMaker run is missing, so the notebook trains its stand-in
        // from experiments/photomaker-characterworld/photomaker.json (one step) on it.
        string dir = TinyRuns.TempDir("nb-stacked-id");
        string pmRun = Path.Combine(dir, "pm"), output = Path.Combine(dir, "05.out.ipynb");
        string notebook = Path.Combine(NotebookRuns.RepositoryRoot(), "notebooks", "05-stacked-id.ipynb");

        var (code, stdout, stderr) = NotebookRuns.Difflab("notebook", "run", notebook,
            "--set", $"pmRun={pmRun}", "--set", $"baseRun={TinyPhotoMakerRuns.BaseRun.Value}", "--set", "fallbackPmSteps=1",
            "--set", "referenceCount=2", "--set", "seeds=0,1", "--set", "steps=2", "--set", "mixWeights=0.5,2.0",
            "--set", "prompts=a photo of a {class} img wearing a crown , on the beach|a smiling {class} img in a red shirt in the city",
            "--output", output);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        var nb = NotebookOutputs.Read(output);
        Assert.Empty(nb.Errors);
        nb.AssertChartsOffline(output);
        Assert.Contains("training a stand-in for 1 steps", nb.Text("load"));
        Assert.Contains("give noise, not people", nb.Text("load"));
        Assert.Equal(1, PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(pmRun)!).Step);
        Assert.Contains(nb.Html("run"), h => h.Contains("photomaker on") && h.Contains("data:image/png;base64,"));
        Assert.Contains(nb.Html("run"), h => h.Contains("Plotly.newPlot") && h.Contains("loss (full)"));
        Assert.Single(nb.Pngs("refs"));
        Assert.Equal(2, nb.Html("generate").Count(h => h.Contains("data:image/png;base64,")));
        Assert.Contains(nb.Html("style"), h => h.Split("data:image/png;base64,").Length == 4 && h.Contains("style strength 50 %"));
        Assert.Equal(2, nb.Html("mix").Count(h => h.Contains("data:image/png;base64,")));
        // The committed study's table, shown as the study wrote it.
        Assert.Contains(nb.Html("study"), h => h.Contains("PhotoMaker (stacked)") && h.Contains("DreamBooth"));
        Assert.Contains("-- personalize --run", nb.Text("cli"));
        Assert.Contains("world refs --identity 0 --held-out --count 2", nb.Text("cli"));
        Assert.Contains("--weights 1,1,2,2", nb.Text("cli"));
    }
}
