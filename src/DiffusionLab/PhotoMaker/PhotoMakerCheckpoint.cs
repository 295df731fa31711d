using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Runs;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// A PhotoMaker checkpoint (one safetensors file, written atomically): the trained weights of
/// <see cref="PhotoMakerModel.TrainedWeights"/> ("weights." + id_encoder.* and lora.* or backbone.*), their EMA when
/// kept ("ema."), the stage's config, and the path of the base text-to-image checkpoint they were trained on (its
/// weights are not copied). A checkpoint written during training also holds <see cref="Training"/>
/// ("optim.adapter.", "optim.encoder.", "rng.cpu" and the step/sampler metadata) so the run resumes exactly.
/// </summary>
public sealed record PhotoMakerCheckpoint(
    string BaseCheckpoint,
    long BaseStep,
    string ConfigJson,
    Dictionary<string, Tensor> Weights,
    Dictionary<string, Tensor>? Ema,
    PhotoMakerTrainingState? Training)
{
    private const string Format = "diffusionlab-photomaker-1";

    public void Save(string path)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        tensors.AddRange(Weights.Select(p => KeyValuePair.Create("weights." + p.Key, p.Value)));
        if (Ema is not null) tensors.AddRange(Ema.Select(p => KeyValuePair.Create("ema." + p.Key, p.Value)));
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["base_checkpoint"] = BaseCheckpoint,
            ["base_step"] = BaseStep.ToString(CultureInfo.InvariantCulture),
            ["config"] = ConfigJson,
        };
        if (Training is { } s)
        {
            tensors.AddRange(s.AdapterOptimizer.Select(p => KeyValuePair.Create("optim.adapter." + p.Key, p.Value)));
            tensors.AddRange(s.EncoderOptimizer.Select(p => KeyValuePair.Create("optim.encoder." + p.Key, p.Value)));
            tensors.Add(KeyValuePair.Create("rng.cpu", s.GeneratorState));
            meta["step"] = s.Step.ToString(CultureInfo.InvariantCulture);
            meta["optimizer_steps"] = s.OptimizerSteps.ToString(CultureInfo.InvariantCulture);
            meta["wall_seconds"] = s.WallSeconds.ToString("R", CultureInfo.InvariantCulture);
            meta["sampler"] = s.SamplerState;
        }
        SafetensorsFile.Save(path, tensors, meta);
    }

    /// <summary>Reads a checkpoint; a missing, truncated or foreign file is a ConfigException naming the path.</summary>
    public static PhotoMakerCheckpoint Load(string path)
    {
        Dictionary<string, Tensor> all;
        Dictionary<string, string> meta;
        try { all = SafetensorsFile.Load(path, out meta); }
        catch (InvalidDataException e) { throw new ConfigException($"PhotoMaker checkpoint '{path}': {e.Message.Replace(path + ": ", "")}"); }
        catch (FileNotFoundException) { throw new ConfigException($"PhotoMaker checkpoint '{path}': file not found"); }
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new ConfigException(format == TrainingCheckpoint.Format
                ? $"'{path}' is a text-to-image (or class-conditional) training checkpoint, not a PhotoMaker one; train a PhotoMaker stage on its run first (difflab train experiments/photomaker-characterworld/photomaker.json --set BaseCheckpoint=RUN)"
                : $"PhotoMaker checkpoint '{path}': not a PhotoMaker checkpoint (expected metadata format={Format})");
        Dictionary<string, Tensor> Part(string prefix) =>
            all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
        var ema = Part("ema.");
        PhotoMakerTrainingState? training = null;
        if (meta.TryGetValue("step", out var step))
        {
            if (!all.TryGetValue("rng.cpu", out var rng)) throw new ConfigException($"PhotoMaker checkpoint '{path}': generator state 'rng.cpu' missing");
            training = new PhotoMakerTrainingState(long.Parse(step, CultureInfo.InvariantCulture), long.Parse(meta["optimizer_steps"], CultureInfo.InvariantCulture),
                double.Parse(meta["wall_seconds"], CultureInfo.InvariantCulture), Part("optim.adapter."), Part("optim.encoder."), rng, meta["sampler"]);
        }
        return new PhotoMakerCheckpoint(meta["base_checkpoint"], long.Parse(meta["base_step"], CultureInfo.InvariantCulture), meta["config"],
            Part("weights."), ema.Count > 0 ? ema : null, training);
    }

    /// <summary>Whether <paramref name="path"/> is a PhotoMaker checkpoint (reads the header only; false for any other file).</summary>
    public static bool IsPhotoMakerCheckpoint(string path)
    {
        try { return SafetensorsFile.ReadMetadata(path).GetValueOrDefault("format") == Format; }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The stage config stored in the checkpoint.</summary>
    public PhotoMakerConfig Config(string source) => PhotoMakerConfig.FromJson(ConfigJson, source);
}
