using System.Text.Json.Nodes;
using DiffusionLab.Data;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

/// <summary>Configs small enough to train for a few steps inside a unit test on 2 CPU cores.</summary>
internal static class TinyRuns
{
    public static string Json(string preset, int steps = 6) => $$"""
        {
          "Model": { "Preset": "{{preset}}", "HiddenSize": 32, "Depth": 4, "NumHeads": 2 },
          "Optimizer": { "LearningRate": 0.001 },
          "Training": { "Steps": {{steps}}, "BatchSize": 8, "EmaDecay": 0.9, "LogEvery": 1, "SampleEvery": 1000, "CheckpointEvery": 3 },
          "Sampling": { "Sampler": "ddim", "Respacing": "ddim5", "GridSamples": 10 },
          "Evaluation": { "NumSamples": 20, "BatchSize": 20 }
        }
        """;

    public static TrainConfig Config(string preset, int steps = 6, params string[] overrides) =>
        TrainConfigLoader.FromJson(JsonNode.Parse(Json(preset, steps))!.AsObject(), "tiny.json", overrides);

    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "difflab-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static TrainingProgress Quiet(TrainConfig c) => new(TextWriter.Null, false, c.Training.Steps, 0, c.Training.LogEvery);

    /// <summary>A denoiser trained in memory by the one trainer on fixed images and conditions (batch = all of them), logging every step.</summary>
    public static InMemoryDenoiser InMemory(TrainConfig config, Tensor images, Tensor conditions, ulong seed = 9)
    {
        config = config with { Training = config.Training with { BatchSize = (int)images.shape[0], LogEvery = 1, Steps = Math.Max(config.Training.Steps, 1000) } };
        var data = new TensorTrainingSet(images, conditions);
        var generator = new Generator(seed, torch.CPU);
        var objective = new DenoiserObjective(config, data, torch.CPU, generator);
        var trainer = new Trainer(objective, DenoiserObjective.Options(config), generator, run: null, Quiet(config));
        return new InMemoryDenoiser(data, generator, objective, trainer);
    }
}

internal sealed record InMemoryDenoiser(TensorTrainingSet Data, Generator Generator, DenoiserObjective Objective, Trainer Trainer) : IDisposable
{
    public void Dispose()
    {
        Trainer.Dispose();
        Objective.Dispose();
        Data.Dispose();
        Generator.Dispose();
    }
}
