using DiffusionLab.Core;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Runs;

/// <summary>A fine-tune (Training.InitialWeights) starts from another run's EMA weights, refuses a different network, and resumes on its own.</summary>
public class InitialWeightsTests
{
    /// <summary>A tiny DiT trained 3 steps (one checkpoint), as the starting point of the fine-tunes below.</summary>
    private static string TrainedRun()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 3);
        string run = Path.Combine(TinyRuns.TempDir("init"), "base");
        using var training = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config));
        training.Train();
        return run;
    }

    private static TrainConfig FineTune(string from, params string[] overrides) =>
        TinyRuns.Config("DiT-Tiny/4", 3, [$"Training.InitialWeights={from}", "Training.Seed=7", .. overrides]);

    [Fact]
    public void TheNetworkAndItsEmaStartFromTheRunsEmaWeights()
    {
        string from = TrainedRun();
        using var source = TrainedModel.Load(from);
        var config = FineTune(from);
        using var training = new DenoiserTraining(config, Path.Combine(TinyRuns.TempDir("init"), "tune"), torch.CPU, TinyRuns.Quiet(config));
        var expected = source.Model.state_dict();
        foreach (var model in new[] { training.Model, training.EmaModel })
            foreach (var (key, value) in model.state_dict())
                Assert.True(value.allclose(expected[key], rtol: 0, atol: 0), $"{key} is not the starting run's EMA weight");
        // Training.Seed=7 alone would have drawn other weights: the start really came from the run.
        using var scratch = new DenoiserTraining(config with { Training = config.Training with { InitialWeights = null } },
            Path.Combine(TinyRuns.TempDir("init"), "scratch"), torch.CPU, TinyRuns.Quiet(config));
        Assert.False(scratch.Model.state_dict()["x_embedder.proj.weight"].allclose(expected["x_embedder.proj.weight"], rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData("Model.HiddenSize=48", "different Model.HiddenSize")]
    [InlineData("Model.Depth=2", "different Model.Depth")]
    public void ADifferentNetworkIsRefusedBeforeTheRunFolderExists(string change, string message)
    {
        string from = TrainedRun();
        string run = Path.Combine(TinyRuns.TempDir("init"), "tune");
        var config = FineTune(from, change);
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config)));
        Assert.StartsWith("key 'Training.InitialWeights'", e.Message);
        Assert.Contains(message, e.Message);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void AMissingStartIsOneLineNamingTheKey()
    {
        string run = Path.Combine(TinyRuns.TempDir("init"), "tune");
        var config = FineTune(Path.Combine(TinyRuns.TempDir("init"), "nowhere"));
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config)));
        Assert.StartsWith("key 'Training.InitialWeights'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void AResumedFineTuneReadsItsOwnCheckpointNotTheStart()
    {
        string from = TrainedRun();
        string run = Path.Combine(TinyRuns.TempDir("init"), "tune");
        var config = FineTune(from, "Training.Steps=6");
        using (var first = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))) first.Train(stopAfter: 3);
        Directory.Delete(from, recursive: true);
        using var resumed = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config));
        Assert.Equal(3, resumed.Step);
        resumed.Train();
        Assert.Equal(6, resumed.Step);
    }
}
