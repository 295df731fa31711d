using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Runs;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// What a PhotoMaker checkpoint holds for sampling: the trained weights of <see cref="PhotoMakerModel.TrainedWeights"/>
/// (id_encoder.* and lora.* or backbone.*), their EMA when kept, the stage's config, and the path of the base
/// text-to-image checkpoint they were trained on (its weights are not copied). Read from a training checkpoint of stage
/// <see cref="TrainingStage.PhotoMaker"/> (the base in its metadata), or from the format PhotoMaker runs wrote before
/// the one trainer ("diffusionlab-photomaker-1": "weights.", "ema."), which still samples but does not resume, or from
/// a shipped model (<see cref="ShippedWeights"/>), whose base is a zoo name ("zoo:characterworld-t2i").
/// </summary>
public sealed record PhotoMakerCheckpoint(
    string BaseCheckpoint,
    long BaseStep,
    string ConfigJson,
    Dictionary<string, Tensor> Weights,
    Dictionary<string, Tensor>? Ema,
    long? Step,
    bool IsLegacy = false)
{
    private const string LegacyFormat = "diffusionlab-photomaker-1";

    /// <summary>Reads a checkpoint; a missing, truncated or foreign file is a ConfigException naming the path.</summary>
    public static PhotoMakerCheckpoint Load(string path)
    {
        Dictionary<string, string> meta;
        try { meta = SafetensorsFile.ReadMetadata(path); }
        catch (InvalidDataException e) { throw new ConfigException($"PhotoMaker checkpoint '{path}': {e.Message.Replace(path + ": ", "")}"); }
        catch (FileNotFoundException) { throw new ConfigException($"PhotoMaker checkpoint '{path}': file not found"); }
        string? format = meta.GetValueOrDefault("format");
        if (format == LegacyFormat) return LoadLegacy(path);
        if (format == ShippedWeights.Format) return LoadShipped(path);
        if (format != TrainingCheckpoint.Format)
            throw new ConfigException($"PhotoMaker checkpoint '{path}': not a PhotoMaker checkpoint (expected metadata format={TrainingCheckpoint.Format} with stage={TrainingStage.PhotoMaker})");
        var checkpoint = TrainingCheckpoint.Load(path);
        if (checkpoint.Stage != TrainingStage.PhotoMaker)
            throw new ConfigException(checkpoint.Stage == TrainingStage.Denoiser
                ? $"'{path}' is a text-to-image (or class-conditional) training checkpoint, not a PhotoMaker one; train a PhotoMaker stage on its run first (difflab train experiments/photomaker-characterworld/photomaker.json --set BaseCheckpoint=RUN)"
                : $"'{path}' is a {checkpoint.Stage} checkpoint, not a PhotoMaker one");
        var (baseCheckpoint, baseStep) = StageBase.Recorded(checkpoint.Metadata, $"PhotoMaker checkpoint '{path}'");
        return new PhotoMakerCheckpoint(baseCheckpoint, baseStep, checkpoint.ConfigJson,
            checkpoint.Model, checkpoint.Ema.Count > 0 ? checkpoint.Ema : null, checkpoint.Step);
    }

    /// <summary>A shipped PhotoMaker stage: its one set of trained weights (bf16) and its base named as a zoo model.</summary>
    private static PhotoMakerCheckpoint LoadShipped(string path)
    {
        var shipped = ShippedWeights.LoadStage(path, TrainingStage.PhotoMaker, "PhotoMaker");
        return new PhotoMakerCheckpoint(shipped.Base!, shipped.BaseStep!.Value, shipped.ConfigJson, shipped.Weights, Ema: null, shipped.Step);
    }

    private static PhotoMakerCheckpoint LoadLegacy(string path)
    {
        var all = SafetensorsFile.Load(path, out var meta);
        Dictionary<string, Tensor> Part(string prefix) =>
            all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
        var ema = Part("ema.");
        long? step = meta.TryGetValue("step", out var s) ? long.Parse(s, CultureInfo.InvariantCulture) : null;
        var (baseCheckpoint, baseStep) = StageBase.Recorded(meta, $"PhotoMaker checkpoint '{path}'");
        return new PhotoMakerCheckpoint(baseCheckpoint, baseStep, meta["config"], Part("weights."), ema.Count > 0 ? ema : null, step, IsLegacy: true);
    }

    /// <summary>Whether <paramref name="path"/> is a PhotoMaker checkpoint (reads the header only; false for any other file).</summary>
    public static bool IsPhotoMakerCheckpoint(string path)
    {
        try
        {
            var meta = SafetensorsFile.ReadMetadata(path);
            return meta.GetValueOrDefault("format") == LegacyFormat
                || (meta.GetValueOrDefault("format") is TrainingCheckpoint.Format or ShippedWeights.Format && meta.GetValueOrDefault("stage") == nameof(TrainingStage.PhotoMaker));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The stage config stored in the checkpoint.</summary>
    public PhotoMakerConfig Config(string source) => PhotoMakerConfig.FromJson(ConfigJson, source);
}
