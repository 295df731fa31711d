using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Notebooks;

[Collection(NotebookRuns.Collection)]
public class CharacterWorldNotebookTests
{
    [Fact]
    public void TheWorldNotebookShowsPeopleJudgesAndPromptedSamples()
    {
        string dir = TinyRuns.TempDir("nb-world");
        var config = TextToImageTrainingTests.Config("Training.Steps=1", "Training.SampleEvery=1", "Training.CheckpointEvery=1");
        string run = Path.Combine(dir, "run");
        using (var t = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        string output = Path.Combine(dir, "04.out.ipynb");
        string notebook = Path.Combine(NotebookRuns.RepositoryRoot(), "notebooks", "04-characterworld.ipynb");

        var (code, stdout, stderr) = NotebookRuns.Difflab("notebook", "run", notebook, "--set", $"run={run}", "--set", "steps=2",
            "--set", "judgeImages=60", "--set", "people=2", "--set", "imagesPerPerson=3", "--output", output);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        var nb = NotebookOutputs.Read(output);
        Assert.Empty(nb.Errors);
        nb.AssertChartsOffline(output);
        Assert.Contains(nb.Html("judges-chart"), h => h.Contains("Plotly.newPlot") && h.Contains("\"type\":\"bar\""));
        Assert.Single(nb.Pngs("people"));
        Assert.Equal(3, nb.Pngs("masks").Count);
        Assert.Contains(nb.Html("captions"), h => h.Contains("<b>") && h.Contains("data:image/png;base64,"));
        Assert.Contains(nb.Html("judges"), h => h.Contains("expression: accuracy") && h.Contains("background: accuracy"));
        Assert.Contains(nb.Html("t2i"), h => h.Contains("data:image/png;base64,") && h.Contains("crown"));
    }
}
