using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Notebooks;

[Collection(NotebookRuns.Collection)]
public class StoryNotebookTests
{
    [Fact]
    public void TheComicNotebookRunsHeadlessAndShowsThePagesInline()
    {
        string dir = TinyRuns.TempDir("nb-story");
        var config = TextToImageTrainingTests.Config("Training.Steps=1", "Training.SampleEvery=1", "Training.CheckpointEvery=1");
        string run = Path.Combine(dir, "run");
        using (var t = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        string output = Path.Combine(dir, "06.out.ipynb");
        string notebook = Path.Combine(NotebookRuns.RepositoryRoot(), "notebooks", "06-story-comics.ipynb");

        var (code, stdout, stderr) = NotebookRuns.Difflab("notebook", "run", notebook, "--set", $"run={run}", "--set", "steps=2", "--output", output);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        var nb = NotebookOutputs.Read(output);
        Assert.Empty(nb.Errors);
        nb.AssertChartsOffline(output);
        foreach (var cell in new[] { "consistent", "plain", "own" })
            Assert.Contains(nb.Html(cell), h => h.Contains("data:image/png;base64,"));
        Assert.Contains(nb.Html("story"), h => h.Contains("Lily") && h.Contains("Tom"));
        Assert.Contains("reference panels: Lily: 1, 3; Tom: 2, 4", nb.Text("consistent"));
    }
}
