using DiffusionLab.Studies;
using DiffusionLab.Tests.Notebooks;
using Xunit;

namespace DiffusionLab.Tests.Studies;

/// <summary>Every committed study's runs load and validate at every scale, so a study fails here, not hours into a run.</summary>
public class CommittedStudiesTests
{
    public static TheoryData<string> Studies()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(NotebookRuns.RepositoryRoot(), "experiments")).Order())
            if (File.Exists(Path.Combine(dir, "study.json"))) data.Add(Path.GetFileName(dir));
        return data;
    }

    [Theory]
    [MemberData(nameof(Studies))]
    public void EveryRunOfEveryScaleIsAValidConfig(string study)
    {
        var spec = StudySpec.Load(Path.Combine(NotebookRuns.RepositoryRoot(), "experiments", study));
        Assert.Contains("full", spec.Scales.Keys);
        foreach (var scale in spec.Scales.Keys)
        foreach (var run in spec.Runs)
        foreach (long seed in spec.Seeds)
        {
            var config = spec.Config(run, seed, scale);
            Assert.Equal(seed, config.Training.Seed);
            Assert.Empty(config.Model.Problems());
            // A run shared with another study resolves to the same config there (or this throws, naming the key).
            Assert.EndsWith($"-seed{seed}", spec.RunFolder("runs", run, seed, scale));
        }
    }
}
