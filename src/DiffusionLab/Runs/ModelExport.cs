using System.Text.Json;
using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// Writes a shipped model (<see cref="ShippedModel"/>) from a training checkpoint: one set of weights in bf16, no
/// optimizer state, the config and tokenizer that rebuild it, and its provenance. The folder appears whole or not at
/// all (written beside it, then renamed). Denoisers here; a stage trained on a base (PhotoMaker, motion) through
/// <see cref="StageExport"/>, which also names its base.
/// </summary>
public static class ModelExport
{
    /// <summary>
    /// Exports the EMA (or, <paramref name="raw"/>, the raw) weights of a denoiser run's latest checkpoint or a checkpoint
    /// file. <paramref name="overrides"/> set Sampling.* and Evaluation.* keys of the shipped config (how it samples by
    /// default and is judged), nothing else; <paramref name="judge"/>, when given, judges the shipped model in its staging
    /// folder (loadable like any shipped model) before the folder appears.
    /// </summary>
    public static ShippedModel ExportDenoiser(string runOrCheckpoint, string name, ModelZoo zoo, bool raw, ExportOrigin origin,
        IReadOnlyList<string>? overrides = null, Func<string, ShippedJudgement>? judge = null)
    {
        foreach (var o in overrides ?? [])
            if (!o.StartsWith("Sampling.", StringComparison.Ordinal) && !o.StartsWith("Evaluation.", StringComparison.Ordinal))
                throw new ConfigException($"--set '{o}': an export sets only Sampling.* and Evaluation.* keys (how the shipped model samples and is judged); its network and training are the run's");
        var target = zoo.Place(name);
        string path = SourceCheckpoint(runOrCheckpoint);
        var checkpoint = TrainingCheckpoint.Load(path);
        try
        {
            if (checkpoint.Stage != TrainingStage.Denoiser)
                throw new ConfigException($"checkpoint '{path}': a {checkpoint.Stage} stage; only denoisers and PhotoMaker or motion stages (with --base) are shipped");
            var stored = JsonNode.Parse(checkpoint.ConfigJson)!.AsObject();
            var config = TrainConfigLoader.FromJson(stored, path, overrides);
            TrainConfigLoader.Validate(config, path);
            string configJson = overrides is { Count: > 0 } ? TrainConfigLoader.ToJson(config).ToJsonString() : checkpoint.ConfigJson;
            var weights = Weights(checkpoint.Model, checkpoint.Ema, raw, path);
            var kind = config.Model.IsTextConditioned ? ShippedModelKind.TextToImage : ShippedModelKind.ClassConditional;
            string? tokenizer = null;
            if (kind == ShippedModelKind.TextToImage)
            {
                tokenizer = new RunFolder(RunDirectoryOf(path)).TokenizerFile;
                if (!File.Exists(tokenizer)) throw new ConfigException($"checkpoint '{path}': a text-to-image model, but its run folder has no tokenizer.json ({tokenizer})");
                if (WordTokenizer.Load(tokenizer).VocabSize != config.Model.TextVocabSize)
                    throw new ConfigException($"tokenizer '{tokenizer}': its size differs from the checkpoint's TextVocabSize={config.Model.TextVocabSize}");
            }
            var shipped = new ShippedWeights(TrainingStage.Denoiser, kind, checkpoint.Step, !raw, configJson, weights);
            var provenance = new ModelProvenance(ShippedWeights.KindName(kind), config.ModelPreset, origin.Command, origin.GitRevision, origin.Device, DateTime.UtcNow,
                path, checkpoint.Step, raw ? "raw" : "ema", Base: null, JudgedMetrics(path, checkpoint.Step));
            return Write(target, shipped, tokenizer, provenance, judge);
        }
        finally
        {
            foreach (var t in checkpoint.Model.Values.Concat(checkpoint.Ema.Values).Concat(checkpoint.Optimizer.Values)) t.Dispose();
            checkpoint.GeneratorState.Dispose();
        }
    }

    /// <summary>The checkpoint file of a run folder or checkpoint argument; a shipped model is not re-exported.</summary>
    public static string SourceCheckpoint(string runOrCheckpoint)
    {
        string path = Path.GetFullPath(RunFolder.CheckpointOf(runOrCheckpoint));
        if (ShippedWeights.IsShippedWeights(path))
            throw new ConfigException($"'{runOrCheckpoint}' is already a shipped model; export from the training run's checkpoint");
        return path;
    }

    /// <summary>The weights to ship: EMA unless <paramref name="raw"/> (or when the checkpoint kept no EMA).</summary>
    public static Dictionary<string, Tensor> Weights(Dictionary<string, Tensor> model, Dictionary<string, Tensor>? ema, bool raw, string path)
    {
        if (raw) return model;
        if (ema is null || ema.Count == 0)
            throw new ConfigException($"checkpoint '{path}': holds no EMA weights; export the raw ones with --raw");
        return ema;
    }

    /// <summary>The run folder a checkpoint file sits in (RUN/checkpoints/step-N.safetensors).</summary>
    public static string RunDirectoryOf(string checkpointPath) => Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(checkpointPath)))!;

    /// <summary>
    /// The run's last evaluation (a metrics.jsonl row with "fd") at or before <paramref name="step"/>, else its
    /// evaluation.json when that is at or before the step, else null: a later evaluation would not judge these weights.
    /// </summary>
    public static IReadOnlyDictionary<string, double>? JudgedMetrics(string checkpointPath, long step)
    {
        var run = new RunFolder(RunDirectoryOf(checkpointPath));
        var row = new MetricsLog(run.MetricsFile).ReadAll().LastOrDefault(r => r.ContainsKey("fd") && r.GetValueOrDefault("step") <= step);
        if (row is not null) return row;
        if (!File.Exists(run.EvaluationFile)) return null;
        try
        {
            var evaluation = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(run.EvaluationFile));
            return evaluation is not null && evaluation.GetValueOrDefault("step") <= step ? evaluation : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// Writes the folder of <paramref name="target"/>; an existing one is a ConfigException (remove it to replace it).
    /// <paramref name="judge"/> runs on the staging folder once its weights, config and tokenizer are written; its
    /// metrics go into the provenance before the folder is renamed into place.
    /// </summary>
    public static ShippedModel Write(ShippedModel target, ShippedWeights weights, string? tokenizerFile, ModelProvenance provenance,
        Func<string, ShippedJudgement>? judge = null)
    {
        if (System.IO.Directory.Exists(target.Directory))
            throw new ConfigException($"{target.Directory}: already exists; remove it to export {target.ZooName} again, or choose another --name");
        string parent = Path.GetDirectoryName(target.Directory)!;
        System.IO.Directory.CreateDirectory(parent);
        var staging = new ShippedModel(target.Name, Path.Combine(parent, $".{target.Name}.{Guid.NewGuid():N}.tmp"));
        System.IO.Directory.CreateDirectory(staging.Directory);
        try
        {
            weights.Save(staging.WeightsFile);
            AtomicFile.WriteAllText(staging.ConfigFile, JsonNode.Parse(weights.ConfigJson)!.ToJsonString(TrainConfigLoader.JsonOptions) + "\n");
            if (tokenizerFile is not null) File.Copy(tokenizerFile, staging.TokenizerFile);
            // The weights, config and tokenizer are all a shipped model loads from; provenance records the judgement.
            if (judge?.Invoke(staging.Directory) is { } judged) provenance = provenance with { Judged = judged.Metrics, JudgedWith = judged.Setting };
            AtomicFile.WriteAllText(staging.ProvenanceFile, JsonSerializer.Serialize(provenance, TrainConfigLoader.JsonOptions) + "\n");
            System.IO.Directory.Move(staging.Directory, target.Directory);
        }
        catch
        {
            if (System.IO.Directory.Exists(staging.Directory)) System.IO.Directory.Delete(staging.Directory, recursive: true);
            throw;
        }
        return target;
    }
}
