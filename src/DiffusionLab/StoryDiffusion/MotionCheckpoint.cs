using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Runs;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// What a motion stage's checkpoint holds for sampling: <see cref="MotionModel.TrainedWeights"/> (encoder, predictor, clip
/// layers, backbone when tuned), their EMA when kept, the stage's config and the base text-to-image checkpoint they were
/// trained on (its weights are not copied). Read from a training checkpoint of stage <see cref="TrainingStage.Motion"/>,
/// or from a shipped transition model (<see cref="ShippedWeights"/>), whose base is a zoo name.
/// </summary>
public sealed record MotionCheckpoint(string BaseCheckpoint, long BaseStep, string ConfigJson, Dictionary<string, Tensor> Weights, Dictionary<string, Tensor>? Ema, long Step)
{
    /// <summary>Reads a checkpoint; a missing or foreign file is a ConfigException naming the path and what it is.</summary>
    public static MotionCheckpoint Load(string path)
    {
        Dictionary<string, string> meta;
        try { meta = SafetensorsFile.ReadMetadata(path); }
        catch (InvalidDataException e) { throw new ConfigException($"motion checkpoint '{path}': {e.Message.Replace(path + ": ", "")}"); }
        catch (FileNotFoundException) { throw new ConfigException($"motion checkpoint '{path}': file not found"); }
        if (meta.GetValueOrDefault("format") == ShippedWeights.Format)
        {
            var shipped = ShippedWeights.LoadStage(path, TrainingStage.Motion, "motion");
            return new MotionCheckpoint(shipped.Base!, shipped.BaseStep!.Value, shipped.ConfigJson, shipped.Weights, Ema: null, shipped.Step);
        }
        if (meta.GetValueOrDefault("format") != TrainingCheckpoint.Format || meta.GetValueOrDefault("stage") != nameof(TrainingStage.Motion))
            throw new ConfigException(meta.GetValueOrDefault("stage") is { } stage
                ? $"'{path}' is a {stage} checkpoint, not a motion one; train a motion stage on a text-to-image run first (difflab train experiments/motion-characterworld/motion.json --set BaseCheckpoint=RUN)"
                : $"motion checkpoint '{path}': not a DiffusionLab training checkpoint");
        var checkpoint = TrainingCheckpoint.Load(path);
        checkpoint.GeneratorState.Dispose();
        foreach (var t in checkpoint.Optimizer.Values) t.Dispose();
        var (baseCheckpoint, baseStep) = StageBase.Recorded(checkpoint.Metadata, $"motion checkpoint '{path}'");
        return new MotionCheckpoint(baseCheckpoint, baseStep, checkpoint.ConfigJson, checkpoint.Model,
            checkpoint.Ema.Count > 0 ? checkpoint.Ema : null, checkpoint.Step);
    }

    /// <summary>Whether <paramref name="path"/> is a motion checkpoint (reads the header only).</summary>
    public static bool IsMotionCheckpoint(string path)
    {
        try
        {
            var meta = SafetensorsFile.ReadMetadata(path);
            return meta.GetValueOrDefault("format") is TrainingCheckpoint.Format or ShippedWeights.Format && meta.GetValueOrDefault("stage") == nameof(TrainingStage.Motion);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return false; }
    }

    public MotionConfig Config(string source) => MotionConfig.FromJson(ConfigJson, source);

    /// <summary>The weights to sample with: the trained ones, with their EMA over them where kept (the frozen encoder has none).</summary>
    public IReadOnlyDictionary<string, Tensor> SamplingWeights(bool useEma)
    {
        if (!useEma || Ema is null) return Weights;
        var merged = new Dictionary<string, Tensor>(Weights);
        foreach (var (name, value) in Ema) merged[name] = value;
        return merged;
    }
}
