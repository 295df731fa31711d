using DiffusionLab.IO;
using DiffusionLab.Modules;
using DiffusionLab.Training;

namespace DiffusionLab.Cli.Commands;

/// <summary>A network restored from a training checkpoint (EMA weights unless raw), with the run's config.</summary>
public sealed record CheckpointModel(Denoiser Model, TrainConfig Config, long Step, string CheckpointPath, string? RunDirectory)
{
    public static CheckpointModel Load(string runOrCheckpoint, IEnumerable<string> overrides, bool raw)
    {
        string path = RunFolder.CheckpointOf(runOrCheckpoint);
        var checkpoint = TrainingCheckpoint.Load(path);
        var stored = System.Text.Json.Nodes.JsonNode.Parse(checkpoint.ConfigJson)!.AsObject();
        var config = TrainConfigLoader.FromJson(stored, path, overrides);
        var model = DenoiserFactory.Create(config.Model);
        StateDictLoader.LoadStrict(model, raw ? checkpoint.Model : checkpoint.Ema, path);
        model.eval();
        string? run = Directory.Exists(runOrCheckpoint) ? runOrCheckpoint : null;
        return new CheckpointModel(model, config, checkpoint.Step, path, run);
    }
}
