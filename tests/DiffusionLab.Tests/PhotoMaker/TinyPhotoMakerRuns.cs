using System.Text.Json.Nodes;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>
/// A one-step 16×16 text-to-image base run (6 + 2 people, 6 images each) and a one-step PhotoMaker run on it, each
/// trained once per test process and shared (Lazy is thread-safe; test classes run in parallel).
/// </summary>
internal static class TinyPhotoMakerRuns
{
    public const string BaseJson = """
        {
          "Model": { "Preset": "MDTv2-T2I-Tiny/4", "InputSize": 16, "PatchSize": 4, "HiddenSize": 64, "Depth": 4, "NumHeads": 2, "TextWidth": 16, "TextDepth": 1, "TextHeads": 2 },
          "Data": { "Dataset": "characterworld", "WorldIdentities": 6, "WorldHeldOutIdentities": 2, "ImagesPerIdentity": 6 },
          "Optimizer": { "LearningRate": 0.001 },
          "Training": { "Steps": 1, "BatchSize": 2, "EmaDecay": 0.9, "LogEvery": 1, "SampleEvery": 1000, "CheckpointEvery": 1 },
          "Sampling": { "Sampler": "ddim", "Respacing": "ddim2", "GridSamples": 2 }
        }
        """;

    /// <summary>The tiny image encoder and LoRA that match the 16×16 base.</summary>
    public const string TinyEncoderKeys = """
        "ImageEncoder": { "ImageSize": 16, "PatchSize": 4, "Width": 16, "Depth": 1, "Heads": 2 },
        "LoraRank": 2, "LoraAlpha": 2
        """;

    public static readonly Lazy<string> BaseRun = new(() =>
    {
        var config = TrainConfigLoader.FromJson(JsonNode.Parse(BaseJson)!.AsObject(), "base.json");
        string dir = TinyRuns.TempDir("pm-base");
        using var trainer = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config));
        trainer.Train();
        return dir;
    });

    /// <summary>A PhotoMaker config file's text (with the Stage marker) on <paramref name="baseCheckpoint"/>.</summary>
    public static string ConfigFileJson(string baseCheckpoint, int steps = 2) => $$"""
        {
          // a tiny PhotoMaker stage for tests
          "Stage": "photomaker",
          "BaseCheckpoint": "{{baseCheckpoint}}",
          "PhotoMaker": { {{TinyEncoderKeys}}, "MaxReferences": 3, "SampleIdentities": 1 },
          "Training": { "Steps": {{steps}}, "BatchSize": 2, "LogEvery": 1, "SampleEvery": 1000, "CheckpointEvery": 1 },
          "Sampling": { "Steps": 2 },
        }
        """;

    public static readonly Lazy<string> Run = new(() =>
    {
        var config = PhotoMakerConfig.FromJson(ConfigFileJson(BaseRun.Value, steps: 1), "pm.json");
        string dir = TinyRuns.TempDir("pm-run");
        using var trainer = new PhotoMakerTrainer(config, dir, CPU, new TrainingProgress(TextWriter.Null, false, config.Steps, 0, config.LogEvery));
        trainer.Train();
        return dir;
    });
}
