using System.Text.Json.Nodes;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.StoryDiffusion;

/// <summary>
/// A tiny motion stage (4-frame clips, a 16-px encoder of one layer, a one-layer predictor) on the shared one-step 16×16
/// text-to-image base, trained once per test process and shared by the CLI, study and notebook tests.
/// </summary>
internal static class TinyMotionRuns
{
    /// <summary>A motion config's flat keys (as a stored config.json) on <paramref name="baseCheckpoint"/>, with the keys of <paramref name="extra"/> (a JSON object) over them.</summary>
    public static string FlatJson(string baseCheckpoint, string extra = "{}")
    {
        var root = JsonNode.Parse(Flat(baseCheckpoint))!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(extra)!.AsObject()) root[key] = value?.DeepClone();
        return root.ToJsonString();
    }

    private static string Flat(string baseCheckpoint) => $$"""
        {
          "Stage": "motion",
          "BaseCheckpoint": "{{baseCheckpoint}}",
          "Frames": 4,
          "Encoder": { "ImageSize": 16, "PatchSize": 8, "Width": 16, "Depth": 1, "Heads": 2 },
          "EncoderPretrainSteps": 2, "EncoderPretrainClips": 3,
          "PredictorDepth": 1, "PredictorHeads": 2, "PredictorEmbeddingLossWeight": 1.0,
          "TemporalLearningRate": 0.001, "PredictorLearningRate": 0.001,
          "Steps": 4, "BatchSize": 2, "LogEvery": 1, "SampleEvery": 4, "CheckpointEvery": 2, "SampleClips": 1,
          "EmaDecay": 0.9,
          "Sampling": { "Steps": 2 }
        }
        """;

    /// <summary>The same as a config file in the stage dialect (sections), for `difflab train`.</summary>
    public static string FileJson(string baseCheckpoint, int steps = 2) => $$"""
        {
          // a tiny motion stage for tests
          "Stage": "motion",
          "BaseCheckpoint": "{{baseCheckpoint}}",
          "Motion": {
            "Frames": 4,
            "Encoder": { "ImageSize": 16, "PatchSize": 8, "Width": 16, "Depth": 1, "Heads": 2 },
            "EncoderPretrainSteps": 2, "EncoderPretrainClips": 3,
            "PredictorDepth": 1, "PredictorHeads": 2, "SampleClips": 1
          },
          "Training": { "Steps": {{steps}}, "BatchSize": 2, "LogEvery": 1, "SampleEvery": 1000, "CheckpointEvery": 1 },
          "Sampling": { "Steps": 2 },
        }
        """;

    public static MotionConfig Config(string extra = "{}") => MotionConfig.FromJson(FlatJson(TinyPhotoMakerRuns.BaseRun.Value, extra), "motion.json");

    public static TrainingProgress Quiet(MotionConfig c) => new(TextWriter.Null, false, c.Steps, 0, c.LogEvery);

    /// <summary>A finished 2-step run with the predictor.</summary>
    public static readonly Lazy<string> Run = new(() => Train("motion-run", """{ "Steps": 2 }"""));

    /// <summary>A finished 2-step run without the predictor (the interpolated-embeddings arm).</summary>
    public static readonly Lazy<string> RunWithoutPredictor = new(() => Train("motion-run-nopred", """{ "Steps": 2, "UsePredictor": false }"""));

    private static string Train(string name, string extra)
    {
        var config = Config(extra);
        string dir = TinyRuns.TempDir(name);
        using var trainer = new MotionTrainer(config, dir, CPU, Quiet(config));
        trainer.Train();
        return dir;
    }
}
