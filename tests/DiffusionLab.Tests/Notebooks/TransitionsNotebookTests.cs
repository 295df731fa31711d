using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.StoryDiffusion;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Notebooks;

[Collection(NotebookRuns.Collection)]
public class TransitionsNotebookTests
{
    [Fact]
    public void TheTransitionsNotebookRunsHeadlessAndPlaysTheClipsInline()
    {
        string dir = TinyRuns.TempDir("nb-transitions");
        string output = Path.Combine(dir, "07.out.ipynb");
        string notebook = Path.Combine(NotebookRuns.RepositoryRoot(), "notebooks", "07-transitions.ipynb");

        var (code, stdout, stderr) = NotebookRuns.Difflab("notebook", "run", notebook, "--set", $"run={TinyPhotoMakerRuns.BaseRun.Value}",
            "--set", $"motionRun={TinyMotionRuns.Run.Value}", "--set", "steps=2", "--set", $"resultsDir={Path.Combine(dir, "no-results")}", "--output", output);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        var nb = NotebookOutputs.Read(output);
        Assert.Empty(nb.Errors);
        // The ground truth, three model methods and the cross-fade, each an animated GIF inline.
        Assert.Contains(nb.Html("clip"), h => h.Split("data:image/gif;base64,").Length - 1 == 5);
        Assert.Contains(nb.Html("story"), h => h.Contains("data:image/gif;base64,") && h.Contains("data:image/png;base64,") && h.Contains("[Lily]"));
        Assert.Contains("transitions: Lily-1-3", nb.Text("story"));
        Assert.Contains("has no results yet", nb.Text("study"));
        Assert.Contains("difflab", nb.Text("cli").Replace("DiffusionLab.Cli --", "difflab"));
    }
}
