using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// Everything a run needs to continue exactly: model and EMA weights, optimizer state, the
/// generator state, the data sampler position and the step, in one safetensors file written
/// atomically (temp file + rename). Tensors are prefixed "model.", "ema.", "optim.", "rng.".
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
    string ConfigJson)
{
    /// <summary>The metadata "format" of a training checkpoint (other checkpoint kinds name it when refusing one).</summary>
    internal const string Format = "diffusionlab-checkpoint-1";

    public static string FileName(long step) => $"step-{step:D7}.safetensors";

    public void Save(string path)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        tensors.AddRange(Model.Select(p => KeyValuePair.Create("model." + p.Key, p.Value)));
        tensors.AddRange(Ema.Select(p => KeyValuePair.Create("ema." + p.Key, p.Value)));
        tensors.AddRange(Optimizer.Select(p => KeyValuePair.Create("optim." + p.Key, p.Value)));
        tensors.Add(KeyValuePair.Create("rng.cpu", GeneratorState));
        SafetensorsFile.Save(path, tensors, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["step"] = Step.ToString(),
            ["optimizer_steps"] = OptimizerSteps.ToString(),
            ["wall_seconds"] = WallSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["sampler"] = SamplerState,
            ["config"] = ConfigJson,
        });
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
        return new TrainingCheckpoint(
            long.Parse(meta["step"]), long.Parse(meta["optimizer_steps"]),
            double.Parse(meta["wall_seconds"], System.Globalization.CultureInfo.InvariantCulture),
            Part("model."), Part("ema."), Part("optim."), rng, meta["sampler"], meta["config"]);
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
