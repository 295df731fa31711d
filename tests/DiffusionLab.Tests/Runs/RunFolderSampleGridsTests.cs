using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.Runs;

/// <summary>The grids a run wrote over training, read back by step from the names <see cref="RunFolder.SampleGrid"/> gives them.</summary>
public class RunFolderSampleGridsTests
{
    [Fact]
    public void SampleGridsAreTheWrittenGridsOrderedByStep()
    {
        var run = new RunFolder(TinyRuns.TempDir("grids"));
        Directory.CreateDirectory(run.SamplesDirectory);
        foreach (long step in new long[] { 2000, 50, 400 }) File.WriteAllBytes(run.SampleGrid(step), [1]);
        File.WriteAllText(Path.ChangeExtension(run.SampleGrid(400), ".txt"), "prompts");   // a text-to-image grid's captions
        File.WriteAllBytes(Path.Combine(run.SamplesDirectory, "step-final.png"), [1]);       // not a step

        var grids = run.SampleGrids();

        Assert.Equal([50L, 400L, 2000L], grids.Select(g => g.Step));
        Assert.Equal(run.SampleGrid(2000), grids[^1].File);
    }

    [Fact]
    public void ARunWithoutSamplesHasNoGrids() => Assert.Empty(new RunFolder(TinyRuns.TempDir("no-grids")).SampleGrids());
}
