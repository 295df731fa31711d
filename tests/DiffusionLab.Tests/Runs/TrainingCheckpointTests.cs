using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Runs;

/// <summary>The one checkpoint format: its stage, its stage-specific metadata, and checkpoints written before stages existed.</summary>
public class TrainingCheckpointTests
{
    private static TrainingCheckpoint Sample(TrainingStage stage, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var generator = new Generator(3);
        return new TrainingCheckpoint(4, 4, 1.5, new() { ["w"] = ones(2) }, new() { ["w"] = zeros(2) }, new() { ["w.exp_avg"] = zeros(2) },
            generator.get_state(), "{}", "{}", stage, metadata);
    }

    [Fact]
    public void TheStageAndItsMetadataRoundTrip()
    {
        string path = Path.Combine(TinyRuns.TempDir("checkpoint"), "c.safetensors");
        Sample(TrainingStage.DreamBooth, new Dictionary<string, string> { ["person"] = "17" }).Save(path);
        var loaded = TrainingCheckpoint.Load(path);
        Assert.Equal(TrainingStage.DreamBooth, loaded.Stage);
        Assert.Equal("17", loaded.Metadata!["person"]);
        Assert.Equal(4, loaded.Step);
        Assert.Throws<ArgumentException>(() => Sample(TrainingStage.Judge, new Dictionary<string, string> { ["step"] = "1" }).Save(path));
    }

    [Fact]
    public void ACheckpointWithoutAStageIsTheDenoisersAndAnUnknownStageIsNamed()
    {
        string dir = TinyRuns.TempDir("checkpoint-old");
        string path = Path.Combine(dir, "c.safetensors");
        Sample(TrainingStage.Denoiser).Save(path);
        var tensors = SafetensorsFile.Load(path, out var meta);
        meta.Remove("stage");
        string old = Path.Combine(dir, "old.safetensors");
        SafetensorsFile.Save(old, tensors, meta);
        Assert.Equal(TrainingStage.Denoiser, TrainingCheckpoint.Load(old).Stage);

        meta["stage"] = "Telepathy";
        SafetensorsFile.Save(old, tensors, meta);
        Assert.Contains("unknown stage 'Telepathy'", Assert.Throws<ConfigException>(() => TrainingCheckpoint.Load(old)).Message);
    }
}
