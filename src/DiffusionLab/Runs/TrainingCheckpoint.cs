using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// Everything a run needs to continue exactly, whatever its <see cref="TrainingStage"/>: the stage's weights and
/// their EMA, optimizer state (a named parameter group's prefixed by its name), the generator state, the data
/// position and the step, in one safetensors file written atomically (temp file + rename). Tensors are prefixed
/// "model.", "ema.", "optim.", "rng."; the metadata holds the stage, the config and any stage-specific keys.
/// </summary>
public sealed record TrainingCheckpoint(
    long Step,
    long OptimizerSteps,
    double WallSeconds,
    Dictionary<string, Tensor> Model,
    Dictionary<string, Tensor> Ema,
    Dictionary<string, Tensor> Optimizer,
    Tensor GeneratorState,
    string SamplerState,
    string ConfigJson,
    TrainingStage Stage = TrainingStage.Denoiser,
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    // Metadata keys the format itself uses; a stage's own keys must not collide with them.
    private static readonly HashSet<string> OwnKeys = ["format", "stage", "step", "optimizer_steps", "wall_seconds", "sampler", "config"];

    /// <summary>The metadata "format" of a training checkpoint (other checkpoint kinds name it when refusing one).</summary>
    public const string Format = "diffusionlab-checkpoint-1";

    public static string FileName(long step) => $"step-{step:D7}.safetensors";

    public void Save(string path)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        tensors.AddRange(Model.Select(p => KeyValuePair.Create("model." + p.Key, p.Value)));
        tensors.AddRange(Ema.Select(p => KeyValuePair.Create("ema." + p.Key, p.Value)));
        tensors.AddRange(Optimizer.Select(p => KeyValuePair.Create("optim." + p.Key, p.Value)));
        tensors.Add(KeyValuePair.Create("rng.cpu", GeneratorState));
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["stage"] = Stage.ToString(),
            ["step"] = Step.ToString(),
            ["optimizer_steps"] = OptimizerSteps.ToString(),
            ["wall_seconds"] = WallSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["sampler"] = SamplerState,
            ["config"] = ConfigJson,
        };
        foreach (var (k, v) in Metadata ?? new Dictionary<string, string>())
        {
            if (OwnKeys.Contains(k)) throw new ArgumentException($"checkpoint metadata '{k}': reserved by the checkpoint format");
            meta[k] = v;
        }
        SafetensorsFile.Save(path, tensors, meta);
    }

    /// <summary>Reads a checkpoint; a truncated file or a file of another kind is an error naming the path.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        Dictionary<string, Tensor> all;
        Dictionary<string, string> meta;
        try { all = SafetensorsFile.Load(path, out meta); }
        catch (InvalidDataException e) { throw new ConfigException($"checkpoint '{path}': {e.Message.Replace(path + ": ", "")}"); }
        catch (FileNotFoundException) { throw new ConfigException($"checkpoint '{path}': file not found"); }
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new ConfigException($"checkpoint '{path}': not a DiffusionLab training checkpoint (expected metadata format={Format})");
        Dictionary<string, Tensor> Part(string prefix) =>
            all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
        if (!all.TryGetValue("rng.cpu", out var rng)) throw new ConfigException($"checkpoint '{path}': generator state 'rng.cpu' missing");
        // Checkpoints written before stages existed are the denoiser's.
        var stage = TrainingStage.Denoiser;
        if (meta.TryGetValue("stage", out var named) && !Enum.TryParse(named, out stage))
            throw new ConfigException($"checkpoint '{path}': unknown stage '{named}' (expected one of {string.Join(", ", Enum.GetNames<TrainingStage>())})");
        return new TrainingCheckpoint(
            long.Parse(meta["step"]), long.Parse(meta["optimizer_steps"]),
            double.Parse(meta["wall_seconds"], System.Globalization.CultureInfo.InvariantCulture),
            Part("model."), Part("ema."), Part("optim."), rng, meta["sampler"], meta["config"], stage,
            meta.Where(p => !OwnKeys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>The latest checkpoint in a run's checkpoints folder, or null.</summary>
    public static string? Latest(string runDirectory)
    {
        string dir = Path.Combine(runDirectory, "checkpoints");
        if (!Directory.Exists(dir)) return null;
        return Directory.GetFiles(dir, "step-*.safetensors").OrderBy(f => f, StringComparer.Ordinal).LastOrDefault();
    }

    /// <summary>The run config stored in the checkpoint.</summary>
    public TrainConfig Config(string source) =>
        TrainConfigLoader.FromJson(JsonNode(source), source);

    private System.Text.Json.Nodes.JsonObject JsonNode(string source)
    {
        try { return System.Text.Json.Nodes.JsonNode.Parse(ConfigJson)!.AsObject(); }
        catch (JsonException) { throw new ConfigException($"checkpoint '{source}': its stored config is not valid JSON"); }
    }
}
